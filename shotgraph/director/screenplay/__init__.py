"""Reading screenplays: the `Screenplay` model, the Fountain and Final Draft readers, and the Fountain writer."""
