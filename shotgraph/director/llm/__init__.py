"""The LLM director: prompts, the chat with an OpenAI-compatible endpoint, and checks of what it answers."""
