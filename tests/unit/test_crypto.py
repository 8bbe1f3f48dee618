import pytest

from app.security import crypto
from app.security.crypto import BlindIndex, DecryptionFailed, FieldCipher


def test_field_value_round_trips() -> None:
    cipher = FieldCipher(crypto.random_key())
    blob = cipher.encrypt("110101199003071234", table="customer", column="id_number", row_key="r1")
    assert b"110101199003071234" not in blob
    assert blob[0] == crypto.ALG_AES256GCM
    assert int.from_bytes(blob[1:3], "big") == 1  # key version travels with the ciphertext
    assert (
        cipher.decrypt(blob, table="customer", column="id_number", row_key="r1")
        == "110101199003071234"
    )


def test_same_plaintext_encrypts_differently_each_time() -> None:
    cipher = FieldCipher(crypto.random_key())
    a = cipher.encrypt("张三", table="t", column="c", row_key="r")
    b = cipher.encrypt("张三", table="t", column="c", row_key="r")
    assert a != b


@pytest.mark.parametrize("position", [0, 1, 3, 10, 20, -1])
def test_tampered_ciphertext_fails(position: int) -> None:
    cipher = FieldCipher(crypto.random_key())
    blob = bytearray(cipher.encrypt("13812345678", table="t", column="phone", row_key="r"))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(bytes(blob), table="t", column="phone", row_key="r")


@pytest.mark.parametrize(
    ("table", "column", "row_key"),
    [("other", "phone", "r"), ("t", "id_number", "r"), ("t", "phone", "r2")],
)
def test_wrong_associated_data_fails(table: str, column: str, row_key: str) -> None:
    cipher = FieldCipher(crypto.random_key())
    blob = cipher.encrypt("13812345678", table="t", column="phone", row_key="r")
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(blob, table=table, column=column, row_key=row_key)


def test_wrong_key_fails() -> None:
    blob = FieldCipher(crypto.random_key()).encrypt("x", table="t", column="c", row_key="r")
    with pytest.raises(DecryptionFailed):
        FieldCipher(crypto.random_key()).decrypt(blob, table="t", column="c", row_key="r")


def test_truncated_ciphertext_fails() -> None:
    cipher = FieldCipher(crypto.random_key())
    blob = cipher.encrypt("x", table="t", column="c", row_key="r")
    for cut in (0, 2, 10, len(blob) - 1):
        with pytest.raises(DecryptionFailed):
            cipher.decrypt(blob[:cut], table="t", column="c", row_key="r")


def test_blind_index_is_deterministic_keyed_and_column_scoped() -> None:
    key = crypto.random_key()
    index = BlindIndex(key)
    assert index.digest("customer.phone", "+8613812345678") == index.digest(
        "customer.phone", "+8613812345678"
    )
    assert index.digest("customer.phone", "+8613812345678") != index.digest(
        "customer.id_number", "+8613812345678"
    )
    assert index.digest("customer.phone", "+8613812345678") != BlindIndex(
        crypto.random_key()
    ).digest("customer.phone", "+8613812345678")


def test_subkeys_are_independent_of_each_other_and_the_master() -> None:
    master = crypto.random_key()
    a = crypto.derive_subkey(master, "field-encryption/v1")
    b = crypto.derive_subkey(master, "blind-index/v1")
    assert len({master, a, b}) == 3 and len(a) == 32


def test_default_argon2_parameters_meet_the_policy() -> None:
    params = crypto.DEFAULT_KDF
    assert params.memory_kib >= 64 * 1024
    assert params.time_cost >= 3
    assert crypto.KdfParams.from_dict(params.as_dict()) == params


def test_password_key_depends_on_password_salt_and_parameters() -> None:
    salt = b"s" * 16
    small = crypto.KdfParams(memory_kib=8192, time_cost=1, parallelism=1)
    base = crypto.derive_password_key("Secret-Pass-1", salt, small)
    assert base == crypto.derive_password_key("Secret-Pass-1", salt, small)
    assert base != crypto.derive_password_key("Secret-Pass-2", salt, small)
    assert base != crypto.derive_password_key("Secret-Pass-1", b"t" * 16, small)
    assert base != crypto.derive_password_key(
        "Secret-Pass-1", salt, crypto.KdfParams(memory_kib=8192, time_cost=2, parallelism=1)
    )


def test_a_row_encryptor_writes_what_decrypt_reads_with_fresh_nonces() -> None:
    cipher = FieldCipher(crypto.random_key())
    nonces = crypto.NoncePool(batch=3)  # refilled every three values
    enc = cipher.for_row("rk1", nonces)
    blobs = [enc("customer_phone", f"phone.{i}", "+8613800138000") for i in range(8)]
    for i, blob in enumerate(blobs):
        assert blob[:3] == cipher.encrypt("x", table="t", column="c", row_key="r")[:3]
        assert (
            cipher.decrypt(blob, table="customer_phone", column=f"phone.{i}", row_key="rk1")
            == "+8613800138000"
        )
        with pytest.raises(DecryptionFailed):  # bound to its row and column as encrypt's are
            cipher.decrypt(blob, table="customer_phone", column=f"phone.{i}", row_key="rk2")
    nonce_of = {blob[3 : 3 + crypto.NONCE_BYTES] for blob in blobs}
    assert len(nonce_of) == len(blobs)  # never one nonce twice


def test_the_blind_index_is_hmac_of_column_and_value() -> None:
    key = crypto.random_key()
    index = BlindIndex(key)
    subkey = crypto.derive_subkey(key, "blind-index/v1")
    for column, value in [("customer.phone", "+8613800138000"), ("a", ""), ("b", "张三")]:
        expected = crypto.mac(subkey, f"{column}\x00{value}".encode())
        assert index.digest(column, value) == expected
        assert index.digest(column, value) == expected  # the kept state is not consumed
