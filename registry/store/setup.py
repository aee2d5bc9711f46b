"""`registry init`: instance folder, keys, database, keyring and published trust anchors."""

from __future__ import annotations

from registry.store.accounts.users import add_demo_users
from registry.store.application import Registry
from registry.store.events.files import private_folder
from registry.store.events.keystore import KeyStore, publish_anchors
from registry.store.events.witness import publish_witness_key
from registry.store.settings import Settings


def initialise(settings: Settings, demo_officers: tuple[str, ...] = ()) -> list[str]:
    """Idempotent: creates what is missing, never replaces a key. Returns what it did."""
    done: list[str] = []
    private_folder(settings.home)
    keystore = KeyStore(settings.private_keys_dir)
    if not keystore.exists():
        keystore.create()
        done.append(f"created the registry's authority and log keys in {keystore.directory}")
    authority, log = keystore.authority(), keystore.log()
    for directory in (settings.home / "public", settings.keys_dir):
        publish_anchors(directory, settings.log_origin, authority, log)
    done.append(f"published the public trust anchors in {settings.keys_dir}")
    vkey = publish_witness_key(settings, [settings.home / "public", settings.keys_dir])
    done.append(f"this instance's witness key: {vkey}")
    registry = Registry(settings)
    try:
        registry.keyring()
        known = registry.trust().officers()
        for officer in demo_officers:
            if officer not in known:
                keyid = registry.register_officer(officer, reason="demo officer created by init")
                done.append(f"registered demo officer {officer} with key {keyid}")
        if demo_officers:
            done.extend(add_demo_users(registry, demo_officers))
        done.append(f"database ready at {settings.database_url}")
    finally:
        registry.close()
    return done
