import { CopyField } from "@/components/ui/copy-field";
import { Card } from "@/components/ui/card";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { plainPrivileges, privilegeInRoleEditor, type RequiredPrivilege } from "@/lib/checks/vocabulary";

const DOCS = {
  securityRole: "https://learn.microsoft.com/power-platform/admin/create-edit-security-role",
  applicationUsers: "https://learn.microsoft.com/power-platform/admin/manage-application-users",
  assignRole: "https://learn.microsoft.com/power-platform/admin/assign-security-roles",
  pac: "https://learn.microsoft.com/power-platform/developer/cli/reference/admin#pac-admin-assign-user",
};

function DocLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <a className="text-brand-700 underline" href={href} target="_blank" rel="noreferrer">
      {children}
      <span className="sr-only"> (opens in a new tab)</span>
    </a>
  );
}

type Props = {
  appName: string;
  appId: string;
  roleName: string;
  rolePrivileges: RequiredPrivilege[];
  pac: string;
  /** The admin center to link: the demo's emulated one, or Microsoft's. */
  adminCenter: string;
  emulated: boolean;
};

/** "Or set it up by hand": the Power Platform admin center walkthrough, the pac command and why this role. */
export function ManualSetup({ appName, appId, roleName, rolePrivileges, pac, adminCenter, emulated }: Props) {
  return (
    <Card
      id="manual"
      headingId="appuser-heading"
      title="Or set it up by hand"
      description={
        <>
          A System Administrator of this environment creates the &ldquo;{roleName}&rdquo; security role, adds {appName}{" "}
          as an application user — an unlicensed, non-interactive identity — and gives it only that role.
        </>
      }
    >
      <div className="max-w-xl">
        <CopyField label="Application (client) ID" value={appId} />
      </div>
      <h3 className="mt-6 font-semibold">1. Create the security role</h3>
      <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm text-slate-700">
        <li>
          Open the{" "}
          <DocLink href={adminCenter}>
            {emulated ? "Power Platform admin center (emulated in this demo)" : "Power Platform admin center"}
          </DocLink>{" "}
          → <strong>Environments</strong> → this environment → <strong>Settings</strong> →{" "}
          <strong>Users + permissions</strong> → <strong>Security roles</strong> → <strong>New role</strong>, named
          &ldquo;{roleName}&rdquo;, in the root business unit (
          <DocLink href={DOCS.securityRole}>Microsoft: create or edit a security role</DocLink>).
        </li>
        <li>For each table below, set the access to the level shown, and nothing else, then save.</li>
      </ol>
      <div className="mt-3">
        <Table label="Privileges the role must grant">
          <THead>
            <Tr>
              <Th>Table</Th>
              <Th>Access</Th>
              <Th>Level</Th>
            </Tr>
          </THead>
          <TBody>
            {rolePrivileges.map((p) => {
              const row = privilegeInRoleEditor(p);
              return (
                <Tr key={p.name}>
                  <Td label="Table">{row.table}</Td>
                  <Td label="Access">{row.access}</Td>
                  <Td label="Level">
                    {row.level} <code className="text-xs text-slate-600">{p.name}</code>
                  </Td>
                </Tr>
              );
            })}
          </TBody>
        </Table>
      </div>
      <h3 className="mt-6 font-semibold">2. Create the application user</h3>
      <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm text-slate-700">
        <li>
          <strong>Settings</strong> → <strong>Users + permissions</strong> → <strong>Application users</strong> →{" "}
          <strong>New app user</strong> (
          <DocLink href={DOCS.applicationUsers}>Microsoft: manage application users</DocLink>).
        </li>
        <li>
          <strong>Add an app</strong>: search for {appName} or paste the Application ID above. Business unit: the root
          business unit.
        </li>
      </ol>
      <h3 className="mt-6 font-semibold">3. Give it the role</h3>
      <p className="mt-2 text-sm text-slate-700">
        <strong>Security roles</strong>: select &ldquo;{roleName}&rdquo; only → <strong>Create</strong> (
        <DocLink href={DOCS.assignRole}>Microsoft: assign a security role</DocLink>).
      </p>
      <h3 className="mt-6 font-semibold">Or steps 2 and 3 with the Power Platform CLI</h3>
      <div className="mt-2">
        <CopyField label="pac command" value={pac} multiline />
      </div>
      <p className="mt-1 text-xs text-slate-600">
        <DocLink href={DOCS.pac}>Microsoft: pac admin assign-user</DocLink>. The role must exist first (step 1).
      </p>
      <h3 className="mt-6 font-semibold">Why this role, and not System Administrator</h3>
      <p className="mt-2 text-sm text-slate-700">
        &ldquo;{roleName}&rdquo; grants exactly what {appName} uses: {plainPrivileges(rolePrivileges).join("; ")}.
        System Administrator would let the app read and change everything in the environment, including security
        settings; it is neither needed nor wanted, and the check warns when the app holds it.
      </p>
    </Card>
  );
}
