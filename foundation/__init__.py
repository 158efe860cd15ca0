"""What two or more of the programs (station, central, conalep) share; imports none of them."""
