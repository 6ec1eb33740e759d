"""Photos uploaded as evidence (claims), read back through a signed link."""

from __future__ import annotations

import strawberry

from models import claims as m
from resolvers.links import signed_url
from schema.context import Info
from schema.ids import encode_id


@strawberry.type
class Photo:
    model: strawberry.Private[m.Upload]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Photo", self.model.id))

    @strawberry.field
    def content_type(self) -> str:
        return self.model.content_type

    @strawberry.field
    def width(self) -> int:
        return self.model.width

    @strawberry.field
    def height(self) -> int:
        return self.model.height

    @strawberry.field(
        description="Signed link under PUBLIC_URL, valid COMPTOIR_DOCUMENT_LINK_MINUTES."
    )
    def url(self, info: Info) -> str:
        return signed_url(policy=info.context.policy, kind="photo", object_id=self.model.id)
