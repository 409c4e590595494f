export function stepLabel(name: string, roleName: string): string {
  switch (name) {
    case "token":
      return "Token from Microsoft Entra ID for your tenant";
    case "whoami":
      return "Dataverse accepts the app's token (WhoAmI)";
    case "application-user":
      return "Application user found, enabled and non-interactive";
    case "roles":
      return `Security role “${roleName}”`;
    case "privileges":
      return "Required privileges";
    case "sample-read":
      return "Sample read: first 3 accounts by name";
    default:
      return name;
  }
}
