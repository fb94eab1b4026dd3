"""The apps this product ships, assembled from triggers/, actions/ and auth/."""
