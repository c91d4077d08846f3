"""The Hunan 5G application ecosystem matchmaking portal (湖南5G应用产业生态对接平台)."""
