"""`Votes`: counts, voters and the caller's own vote."""

from __future__ import annotations

import strawberry

from gateway.domain.context import Info
from gateway.domain.types.common import VoteType
from gateway.domain.types.user import User, users_of
from gateway.upstream.records import VotesRecord


@strawberry.type(description="Up and down votes on an entity.")
class Votes:
    up_votes: int = strawberry.field(description="Number of up votes.")
    down_votes: int = strawberry.field(description="Number of down votes.")
    record: strawberry.Private[VotesRecord]

    @classmethod
    def from_record(cls, r: VotesRecord | None) -> Votes:
        r = r or VotesRecord()
        return cls(up_votes=r.up_votes, down_votes=r.down_votes, record=r)

    @strawberry.field(description="Users who voted up.")
    def up_voters(self) -> list[User]:
        return users_of(self.record.up_voters)

    @strawberry.field(description="Users who voted down.")
    def down_voters(self) -> list[User]:
        return users_of(self.record.down_voters)

    @strawberry.field(description="The caller's own vote (NONE when the caller has not voted).")
    async def my_vote(self, info: Info) -> VoteType:
        me = await info.context.me()
        if me is None:
            return VoteType.NONE
        if any(v.id == me.id for v in self.record.up_voters):
            return VoteType.UP
        if any(v.id == me.id for v in self.record.down_voters):
            return VoteType.DOWN
        return VoteType.NONE
