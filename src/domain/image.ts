/** The task-definition family of an ARN or `family:revision`. */
export function familyOf(taskDefinition: string): string {
  const name = taskDefinition.includes('/') ? (taskDefinition.split('/').pop() as string) : taskDefinition;
  return name.split(':')[0] as string;
}

/** Short `family:revision` for chat. */
export function shortTaskDefinition(taskDefinition: string): string {
  return taskDefinition.includes('/') ? (taskDefinition.split('/').pop() as string) : taskDefinition;
}
