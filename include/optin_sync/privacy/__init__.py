"""Personal data: keyed hashes, masked displays, and the analyst form of each snapshot dataset."""
