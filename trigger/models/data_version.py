"""One row whose token changes in every transaction that changes what a page can show (see trigger.page_cache)."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer
from sqlalchemy.orm import Mapped, mapped_column

from trigger.models.base import Base


class DataVersion(Base):
    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="singleton"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A random number, not a counter: a restored backup brings back a token that matched exactly its data, and
    # a new token can never repeat one that a server still holds pages for.
    token: Mapped[int] = mapped_column(BigInteger)
