"""The academic wing (seed 000, norms 6–12): SAE import, capture calendar and
rectifications, grades by corte, the SISEAC report."""
