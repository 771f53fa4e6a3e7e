"""特约监督员: their appointment, confidential problem clues (问题线索), spot checks and the appeals they bring."""
