-- The ksgov record store lives beside Temporal's databases, with its own role.
CREATE ROLE ksgov LOGIN PASSWORD 'ksgov';
CREATE DATABASE ksgov OWNER ksgov;
