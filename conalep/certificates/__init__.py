"""Electronic Certificados de Terminación de Estudios (seed 000, activities 2-7)."""
