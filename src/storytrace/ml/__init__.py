"""Shared machine-learning helpers: sentence encoders, small logistic models, candidate
search (MinHash, LSH, nearest neighbours) and average-link clustering.

Any stage may use these; none of them knows about stages.
"""
