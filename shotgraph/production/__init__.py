"""The production: the LangGraph graph and its nodes, the run context, film assembly and the Director API.

The top floor of the house: it imports every stage; nothing below imports it.
"""
