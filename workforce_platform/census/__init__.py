"""The census: a deterministic generator and the validating loader."""
