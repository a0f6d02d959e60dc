"""Assistance fixtures: helpers paired with households, a tiny PNG, a stationed work-team cadre."""

from __future__ import annotations

import struct
import zlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jingzhun.accounts.access import actor_for
from tests.factories import VILLAGE, register


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A valid tiny PNG made by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def png_upload(name: str = "visit.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture(autouse=True)
def fresh_cache():
    """Coverage is cached per scope; every test starts without it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def other_helper(regions):
    from jingzhun.accounts.services import role_grant, user_create

    user, _ = user_create(username="helper2", password="Pass-word-123", display_name="第二帮扶人")
    role_grant(user=user, role="helper", region_code=VILLAGE)
    return user


@pytest.fixture
def paired(admin_actor, helper_user, other_helper):
    """Two households of the same village: `mine` paired with helper_user, `theirs` with other_helper."""
    from jingzhun.assistance.services import helper_assign

    mine = register(admin_actor)
    theirs = register(admin_actor)
    helper_assign(actor=admin_actor, household=mine, helper=helper_user, started_on=date(2018, 1, 1))
    helper_assign(actor=admin_actor, household=theirs, helper=other_helper, started_on=date(2018, 1, 1))
    return {"mine": mine, "theirs": theirs}


@pytest.fixture
def helper_actor(helper_user):
    return actor_for(helper_user)


@pytest.fixture
def stationed_cadre(village_cadre, admin_actor):
    """The village cadre as a work-team leader (队长) in VILLAGE."""
    from jingzhun.assistance.services import team_member_add, work_team_create

    team = work_team_create(actor=admin_actor, village_code=VILLAGE, started_on=date(2018, 1, 1))
    team_member_add(
        actor=admin_actor, team=team, cadre=village_cadre, is_leader=True, started_on=date(2018, 1, 1)
    )
    return village_cadre
