"""The benchmark's Argon2 hasher: Django's own, which notes the CPU time of each check."""

from django.contrib.auth.hashers import Argon2PasswordHasher

from bench.hashers import (
    ARGON2_DIR_VARIABLE,
    NotedArgon2PasswordHasher,
    forget_checks,
    noted_checks,
)


def test_each_check_is_noted_in_a_file_of_the_process(tmp_path, monkeypatch):
    monkeypatch.setenv(ARGON2_DIR_VARIABLE, str(tmp_path))
    hasher = NotedArgon2PasswordHasher()
    encoded = hasher.encode("phrase de passe du banc", hasher.salt())
    assert hasher.verify("phrase de passe du banc", encoded)
    assert not hasher.verify("une autre", encoded)
    count, seconds = noted_checks(tmp_path)
    assert count == 2 and seconds > 0
    forget_checks(tmp_path)
    assert noted_checks(tmp_path) == (0, 0.0)


def test_same_hashes_as_djangos_and_nothing_noted_without_the_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(ARGON2_DIR_VARIABLE, raising=False)
    hasher = NotedArgon2PasswordHasher()
    encoded = hasher.encode("phrase de passe du banc", hasher.salt())
    assert hasher.algorithm == Argon2PasswordHasher.algorithm
    assert Argon2PasswordHasher().verify("phrase de passe du banc", encoded)
    assert hasher.verify("phrase de passe du banc", encoded)
    assert list(tmp_path.iterdir()) == []
