// The secret corpus: one realistic FAKE secret of every kind a coding session carries. Each is
// pattern-valid (the shape its vendor issues, so a scanner must treat it as real) and obviously fake
// (it says FAKE, and its random part is drawn afresh on every run, so it never was anyone's key).
// `random` is the part that must never be found in anything lapse writes. A secret with no shape of
// its own (an AWS secret key, a password) is only a secret by its name, so streams carry `line`s.

export interface FakeSecret {
  kind: string;
  /** The secret as it appears in a file, a header or a stream. */
  value: string;
  /** Its distinctive part (every 10-character window is searched for). */
  random: string;
  /** How it sits in a `.env`-style file. */
  line: string;
}

const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789';
const r = (n: number, abc = ALNUM) => Array.from({ length: n }, () => abc[Math.floor(Math.random() * abc.length)]).join('');
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const b64url = (s: string) => Buffer.from(s).toString('base64url');

function pem(kind: 'RSA PRIVATE KEY' | 'OPENSSH PRIVATE KEY' | 'PRIVATE KEY'): { value: string; random: string } {
  const lines = Array.from({ length: 12 }, () => r(64, B64));
  return { value: `-----BEGIN ${kind}-----\n${lines.join('\n')}\n-----END ${kind}-----`, random: lines.join('') };
}

/** A fresh corpus; `tag` goes into every secret so that a leak names where it came from. */
export function secretCorpus(tag: string): FakeSecret[] {
  const T = tag.replace(/[^A-Za-z0-9]/g, '').slice(0, 6).toUpperCase() || 'X';
  const s = (kind: string, value: string, random: string, name: string): FakeSecret => ({ kind, value, random, line: `${name}=${value}` });
  // each secret: a FAKE marker and the tag, then its random part (the part searched for)
  const f = (n: number, abc = ALNUM) => {
    const random = r(Math.max(12, n - 4 - T.length), abc);
    return { v: `FAKE${T}${random}`, random };
  };
  const anthropic = f(89);
  const openai = f(48);
  const awsId = { v: `FAKE${r(12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`, random: '' };
  awsId.random = awsId.v.slice(4);
  const awsSecret = f(40, ALNUM + '/+');
  const gh = f(36);
  const ghFine = (() => {
    const random = `${r(16)}_${r(59)}`;
    return { v: `11FAKE${T}${random}`, random };
  })();
  const google = (() => {
    const random = r(Math.max(12, 29 - T.length));
    return { v: `SyFAKE${T}${random}`, random };
  })();
  const slack = f(24);
  const stripe = f(28);
  const npm = f(36);
  const jwtPayload = b64url(JSON.stringify({ sub: `fake-${r(12)}`, name: 'FAKE USER', iat: 1700000000 }));
  const jwtSig = r(43, ALNUM + '-_');
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const rsa = pem('RSA PRIVATE KEY');
  const ssh = pem('OPENSSH PRIVATE KEY');
  const dbPassword = (() => {
    const random = r(18);
    return { v: `FAKEpw${T}${random}`, random };
  })();
  const webhook = f(36);
  const hf = f(34);
  return [
    s('anthropic', `sk-ant-api03-${anthropic.v}AA`, anthropic.random, 'ANTHROPIC_API_KEY'),
    s('openai', `sk-proj-${openai.v}`, openai.random, 'OPENAI_API_KEY'),
    s('aws-access-key-id', `AKIA${awsId.v}`, awsId.random, 'AWS_ACCESS_KEY_ID'),
    s('aws-secret-access-key', awsSecret.v, awsSecret.random, 'AWS_SECRET_ACCESS_KEY'),
    s('github-pat', `ghp_${gh.v}`, gh.random, 'GITHUB_TOKEN'),
    s('github-fine-grained', `github_pat_${ghFine.v}`, ghFine.random, 'GH_FINE_TOKEN'),
    s('google-api-key', `AIza${google.v}`, google.random, 'GOOGLE_API_KEY'),
    s('slack-bot', `xoxb-${r(12, '0123456789')}-${r(13, '0123456789')}-${slack.v}`, slack.random, 'SLACK_BOT_TOKEN'),
    s('stripe', `sk_live_${stripe.v}`, stripe.random, 'STRIPE_SECRET_KEY'),
    s('npm', `npm_${npm.v}`, npm.random, 'NPM_TOKEN'),
    s('jwt', `${header}.${jwtPayload}.${jwtSig}`, jwtPayload.slice(8) + jwtSig, 'SESSION_JWT'),
    s('huggingface', `hf_${hf.v}`, hf.random, 'HF_TOKEN'),
    s('db-password', dbPassword.v, dbPassword.random, 'DATABASE_PASSWORD'),
    s('webhook-secret', `whsec_${webhook.v}`, webhook.random, 'STRIPE_WEBHOOK_SECRET'),
    { kind: 'rsa-private-key', value: rsa.value, random: rsa.random, line: `# id_rsa\n${rsa.value}` },
    { kind: 'openssh-private-key', value: ssh.value, random: ssh.random, line: `# id_ed25519\n${ssh.value}` },
  ];
}

/** A `.env` holding every secret of a corpus. */
export function dotenv(corpus: FakeSecret[]): string {
  return `# FAKE credentials for a lapse test\n${corpus.map((c) => c.line).join('\n')}\nDEBUG=true\nPORT=3000\n`;
}

/** What must never be found, by name: `tag/kind` → random part; PEM keys by their lines. */
export function randomParts(corpora: Record<string, FakeSecret[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [tag, corpus] of Object.entries(corpora)) {
    for (const c of corpus) {
      if (c.kind.endsWith('private-key')) c.random.match(/.{64}/g)!.forEach((line, i) => (out[`${tag}/${c.kind}#${i}`] = line));
      else out[`${tag}/${c.kind}`] = c.random;
    }
  }
  return out;
}
