"""Argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane) instead of
Django's (100 MiB, 2 passes, 8 lanes): still memory-hard, but a login costs a fifth of the
memory and CPU, so logins (and attackers' bogus ones) do not crowd out the pages of people
at work. Stored hashes carry their own parameters: older ones still verify and are
re-hashed with these at the next successful login."""
from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2


class Argon2PasswordHasher(DjangoArgon2):
    time_cost = 2
    memory_cost = 19_456  # KiB
    parallelism = 1
