// Placeholder entry point; replaced by the fake server.
return 0;
