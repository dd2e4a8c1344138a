"""Language models behind the generative answerer: the backend factory and the local llama.cpp server."""
