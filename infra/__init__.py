"""Platform utilities that know nothing of the domain: encryption, masking of names and
numbers in text, logs, the cache, bulk writes, text files, health, request-wide policies."""
