"""Keys, encryption, masking: everything that protects personal data."""
