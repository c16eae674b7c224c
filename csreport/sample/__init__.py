"""Sample-data generator: a simulated service operation with planted events and their ground truth."""
