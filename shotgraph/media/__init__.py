"""Media tools the crew shares: running ffmpeg, the encoding settings, fonts and lettering."""
