"""The profiles (draft, ...) as TOML files; installed as the package data of shotgraph.configs."""
