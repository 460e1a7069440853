"""Keys syncd chooses for the items it creates."""

from __future__ import annotations

from syncd.sync.engine import KEY_ALPHABET, new_key


def test_a_new_key_is_eight_characters_of_zoteros_alphabet() -> None:
    keys = [new_key() for _ in range(2000)]
    assert all(len(k) == 8 and set(k) <= set(KEY_ALPHABET) for k in keys)


def test_new_keys_use_every_character_in_every_place() -> None:
    keys = [new_key() for _ in range(3000)]
    for place in range(8):
        assert {k[place] for k in keys} == set(KEY_ALPHABET)
