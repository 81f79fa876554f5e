"""The campaigns view: the list of campaigns and an editor form."""
