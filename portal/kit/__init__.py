"""Shared infrastructure of the portal, importing no domain: errors and the one field-error
type, error translation, form readers, pagination and templating."""
