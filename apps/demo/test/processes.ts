/** Whether any process of the group `pid` leads is still there (a worker and its MCP servers). */
export const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}
