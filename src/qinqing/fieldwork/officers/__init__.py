"""首席服务官, 驻点专员 and linked leaders: who serves which enterprise when, their visits and the appeals they register."""
