"""costmodel: exact static cost model of convolutional networks."""
