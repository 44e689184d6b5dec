"""ML model service connections, checked against the connection schema of the service type.

`connection.config` of an ML model service is one of the 1.13 schemas
`entity/services/connections/mlmodel/{mlflow,sageMaker,vertexai,sklearn,customMlModel}
Connection.json`, picked by the service's `serviceType` (the upstream converts the config
to the class of that type), with the credentials they reference
(`security/credentials/{awsCredentials,gcpCredentials,gcpValues,gcpExternalAccount}.json`),
`type/filterPattern.json` and `connectionBasicType.json`. What is stored is the converted
config: the defaults the schemas declare (`type`, `supportsMetadataExtraction`, AWS
`enabled` / `assumeRoleSessionName`, the GCP URIs, ...) filled in, in schema order.

Failures, worded as the upstream's secrets manager words its conversion errors (400):
- a property a schema does not declare where it has `additionalProperties: false`:
  `Failed to encrypt '<type>' connection stored in DB due to an unrecognized field: '<name>'`;
- anything else that does not convert (a `type` other than the service type's, a wrong
  JSON type): `InvalidServiceConnectionException for service [<type>] due to [Failed to
  encrypt connection instance of <type>].`;
- a required property left out: `[connection.config.<property> must not be null]`, as bean
  validation words it (whether the upstream's conversion refuses it is UNCONFIRMED).
These checks run with the rest of the body's, before authorization (upstream converts the
connection while preparing the entity, after authorizing: only the order differs).
`gcpConfig` (a `oneOf` of four credential shapes) is told apart by its `type` constant,
`service_account` when absent. Database service connections stay opaque.
"""

from __future__ import annotations

from typing import Any

from gateway.emulator.catalog.errors import CatalogError, violations
from gateway.emulator.catalog.validation import (
    Check,
    MappingError,
    Prop,
    UnknownProperty,
    anything,
    array,
    boolean,
    enum,
    integer,
    obj,
    one_of,
    text,
)

CONFIG_PATH = "connection.config"


def _const(value: str) -> Prop:
    """A `type` discriminator: this one value, and the default when absent."""
    return Prop(enum((value,)), default=value)


def _text_map() -> Check:
    return obj({}, additional=text())


FILTER_PATTERN = obj({"includes": Prop(array(text())), "excludes": Prop(array(text()))})
PROJECT_ID = one_of(text(), array(text()))
AWS_CREDENTIALS = obj(
    {
        "enabled": Prop(boolean(), default=False),
        "awsAccessKeyId": Prop(text()),
        "awsSecretAccessKey": Prop(text()),
        "awsRegion": Prop(text(), required=True),
        "awsSessionToken": Prop(text()),
        "endPointURL": Prop(text()),
        "profileName": Prop(text()),
        "assumeRoleArn": Prop(text()),
        "assumeRoleSessionName": Prop(text(), default="OpenMetadataSession"),
        "assumeRoleSourceIdentity": Prop(text()),
    }
)
GCP_VALUES = obj(
    {
        "type": _const("service_account"),
        "projectId": Prop(PROJECT_ID),
        "privateKeyId": Prop(text()),
        "privateKey": Prop(text()),
        "clientEmail": Prop(text()),
        "clientId": Prop(text()),
        "authUri": Prop(text(), default="https://accounts.google.com/o/oauth2/auth"),
        "tokenUri": Prop(text(), default="https://oauth2.googleapis.com/token"),
        "authProviderX509CertUrl": Prop(
            text(), default="https://www.googleapis.com/oauth2/v1/certs"
        ),
        "clientX509CertUrl": Prop(text()),
    }
)
# The two shapes below declare no `additionalProperties`: other properties are kept.
GCP_CREDENTIALS_PATH = obj(
    {
        "type": _const("gcp_credential_path"),
        "path": Prop(text()),
        "projectId": Prop(PROJECT_ID),
    },
    additional=anything(),
)
GCP_ADC = obj({"type": _const("gcp_adc"), "projectId": Prop(PROJECT_ID)}, additional=anything())
GCP_EXTERNAL_ACCOUNT = obj(
    {
        "type": _const("external_account"),
        "externalType": _const("external_account"),
        "audience": Prop(text()),
        "subjectTokenType": Prop(text()),
        "tokenURL": Prop(text()),
        "credentialSource": Prop(_text_map()),
    }
)
_GCP_CONFIGS = {
    "service_account": GCP_VALUES,
    "gcp_credential_path": GCP_CREDENTIALS_PATH,
    "external_account": GCP_EXTERNAL_ACCOUNT,
    "gcp_adc": GCP_ADC,
}


def _gcp_config() -> Check:
    def check(value: Any, path: str, errors: list[str]) -> Any:
        if not isinstance(value, dict):
            raise MappingError(path)
        shape = _GCP_CONFIGS.get(value.get("type", "service_account"))
        if shape is None:
            raise MappingError(path)
        return shape(value, path, errors)

    return check


GCP_CREDENTIALS = obj(
    {
        "gcpConfig": Prop(_gcp_config(), required=True),
        "gcpImpersonateServiceAccount": Prop(
            obj(
                {
                    "impersonateServiceAccount": Prop(text()),
                    "lifetime": Prop(integer(), default=3600),
                },
                additional=anything(),
            )
        ),
    }
)


def _common() -> dict[str, Prop]:
    return {
        "mlModelFilterPattern": Prop(FILTER_PATTERN),
        "supportsMetadataExtraction": Prop(boolean(), default=True),
    }


ML_CONNECTIONS: dict[str, Check] = {
    "Mlflow": obj(
        {
            "type": _const("Mlflow"),
            "trackingUri": Prop(text(), required=True),
            "registryUri": Prop(text(), required=True),
            **_common(),
        }
    ),
    "SageMaker": obj(
        {
            "type": _const("SageMaker"),
            "awsConfig": Prop(AWS_CREDENTIALS, required=True),
            **_common(),
        }
    ),
    "VertexAI": obj(
        {
            "type": _const("VertexAI"),
            "credentials": Prop(GCP_CREDENTIALS, required=True),
            "location": Prop(text(), required=True),
            **_common(),
        }
    ),
    "Sklearn": obj({"type": _const("Sklearn"), **_common()}),
    # `additionalProperties: true`: anything else is kept as sent.
    "CustomMlModel": obj(
        {
            "type": _const("CustomMlModel"),
            "sourcePythonClass": Prop(text()),
            "connectionOptions": Prop(_text_map()),
            **_common(),
        },
        additional=anything(),
    ),
}


def ml_connection(service_type: str, connection: dict[str, Any]) -> dict[str, Any]:
    """The connection with its config converted to the service type's, or the upstream's 400."""
    config = connection.get("config")
    if config is None:
        return connection
    errors: list[str] = []
    try:
        converted = ML_CONNECTIONS[service_type](config, CONFIG_PATH, errors)
    except UnknownProperty as exc:
        raise CatalogError(
            400,
            f"Failed to encrypt '{service_type}' connection stored in DB due to an "
            f"unrecognized field: '{exc.name}'",
        ) from None
    except MappingError:
        raise CatalogError(
            400,
            f"InvalidServiceConnectionException for service [{service_type}] due to "
            f"[Failed to encrypt connection instance of {service_type}].",
        ) from None
    if errors:
        raise violations(errors)
    return {**connection, "config": converted}
