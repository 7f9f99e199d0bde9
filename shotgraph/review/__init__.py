"""The review page: a local web app over the Director API, and its REST API."""
