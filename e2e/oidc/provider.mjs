// A real OpenID Connect provider (npm's oidc-provider) for the browser journeys: one static
// confidential client, test users and the claims the portal reads (email, email_verified,
// name and the role claim portal_role). Usage:
//   node e2e/oidc/provider.mjs PORT REDIRECT_URI
// It prints "ready ISSUER" once listening. Development interactions: any password works.
import Provider from 'oidc-provider';

const [port, redirectUri] = process.argv.slice(2);
if (!port || !redirectUri) {
  console.error('usage: provider.mjs PORT REDIRECT_URI');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

const users = {
  'alice': { email: 'alice@oidc.example', email_verified: true, name: 'Alice OIDC', portal_role: 'vendor' },
  'olivia': { email: 'olivia@oidc.example', email_verified: true, name: 'Olivia', portal_role: 'official' },
  'unverified': { email: 'vendor@demo.hn5g.example', email_verified: false, name: 'Mallory' },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'portal-e2e',
      client_secret: 'portal-e2e-secret-0123456789abcdef',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'portal_role'],
  },
  async findAccount(ctx, id) {
    const claims = users[id] ?? { email: `${id}@oidc.example`, email_verified: true, name: id };
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  pkce: { required: () => true },
  cookies: { keys: ['e2e-only-cookie-key-0123456789'] },
  features: { devInteractions: { enabled: true } },
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
