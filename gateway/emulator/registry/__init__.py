"""Foundry-compatible model registry emulator (Models API v2 under /api/v2/models)."""

from gateway.emulator.registry.component import RegistryEmulator

__all__ = ["RegistryEmulator"]
