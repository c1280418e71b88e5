/**
 * Deterministic, realistic raw messages for benchmarks and the demo: a seeded PRNG, so the same
 * seed gives byte-identical mail. The mix follows a sales rep's mailbox: mostly inbound from
 * ~2,000 people at ~400 companies (some on freemail, some on subdomains), a quarter sent, some
 * internal, newsletters, no-reply notifications and auto-replies; plain and multipart bodies,
 * quoted replies, RFC 2047 names, a few attachments of 20–200 KB and a rare ~600 KB one.
 */
export interface GeneratedMessage {
  raw: Buffer;
  providerMessageId: string;
}

export interface GenerateOptions {
  count: number;
  seed?: number;
  ownerEmail: string;
  internalDomain: string;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'James',
  'Priya',
  'Zoë',
  'Liam',
  'Amara',
  'Hiroshi',
  'Sofia',
  'Mateo',
  'Chloé',
  'Noah',
  'Fatima',
  'Lars',
  'Ingrid',
  'Wei',
  'Olu',
  'Ana',
  'Björn',
  'Elif',
  'Ravi',
  'Grace',
  'Tomás',
  'Mei',
  'Kofi',
  'Sara',
];
const LAST = [
  'Okafor',
  'Raman',
  'Ångström',
  'Keller',
  'Nguyen',
  'Tanaka',
  'García',
  'Müller',
  'Dubois',
  'Smith',
  'Haddad',
  'Johansson',
  'Rossi',
  'Chen',
  'Adeyemi',
  'Silva',
  'Novak',
  'Yılmaz',
  'Patel',
  'O’Brien',
  'Kowalski',
  'Lindqvist',
];
const SYL = [
  'blue',
  'peak',
  'harbor',
  'view',
  'kestrel',
  'bio',
  'orbit',
  'foods',
  'veri',
  'dian',
  'tall',
  'grass',
  'north',
  'star',
  'iron',
  'leaf',
  'nova',
  'terra',
  'quant',
  'apex',
  'cedar',
  'lumen',
  'pixel',
  'delta',
];
const TLDS = ['com', 'com', 'com', 'io', 'co.uk', 'de', 'fr', 'com.au', 'ca', 'nl'];
const FREEMAIL = ['gmail.com', 'outlook.com', 'yahoo.com', 'hotmail.com', 'icloud.com', 'gmx.de'];
const TOPICS = [
  'pricing for the Q3 order',
  'the renewal contract',
  'shipping schedule',
  'our call on Thursday',
  'the pilot results',
  'invoice 4471',
  'onboarding plan',
  'security questionnaire',
  'volume discount',
  'the demo recording',
];
const SENTENCES = [
  'Thanks for the quick turnaround on this.',
  'Could you send over the updated numbers before Friday?',
  'We reviewed the proposal internally and have a few questions about the rollout.',
  'Our procurement team needs the signed order form by the end of the month.',
  'I have attached the spreadsheet with the volumes per region.',
  'Let me know if Tuesday at 10:00 works for a short call.',
  'The shipment left the warehouse this morning and should arrive within three days.',
  'We would like to extend the pilot to two more teams.',
  'Please find the revised terms below; the payment schedule is unchanged.',
  'Happy to jump on a call if that is easier.',
];

interface Party {
  name: string;
  address: string;
}

export function generateMessage(index: number, options: GenerateOptions): GeneratedMessage {
  const seed = options.seed ?? 1;
  const rnd = mulberry32(seed * 1_000_003 + index);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const person = (n: number): Party => {
    const r = mulberry32(seed * 7_919 + n);
    const first = FIRST[Math.floor(r() * FIRST.length)] ?? 'Alex';
    const last = LAST[Math.floor(r() * LAST.length)] ?? 'Doe';
    const company = Math.floor(r() * 400);
    const cr = mulberry32(seed * 104_729 + company);
    const name = `${SYL[Math.floor(cr() * SYL.length)] ?? 'acme'}${SYL[Math.floor(cr() * SYL.length)] ?? 'co'}${company}`;
    const tld = TLDS[Math.floor(cr() * TLDS.length)] ?? 'com';
    const local = `${first}.${last}`
      .normalize('NFD')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    const domain =
      r() < 0.15
        ? (FREEMAIL[Math.floor(r() * FREEMAIL.length)] ?? 'gmail.com')
        : `${cr() < 0.1 ? 'mail.' : ''}${name}.${tld}`;
    return { name: `${first} ${last}`, address: `${local}${n % 97}@${domain}` };
  };
  const owner: Party = { name: 'Rep Owner', address: options.ownerEmail };
  const colleague: Party = { name: 'Li Chen', address: `li.chen@${options.internalDomain}` };
  const date = new Date(Date.UTC(2026, 10, 1) - Math.floor(rnd() * 365 * 86_400_000));
  const messageId = `<gen-${seed}-${index}@${index % 3 === 0 ? 'mail.gmail.com' : 'mx.example-mail.net'}>`;
  const kind = rnd();
  const headers: string[] = [];
  let from: Party;
  let to: Party[];
  let cc: Party[] = [];
  let subject = `Re: ${pick(TOPICS)}`;
  if (kind < 0.1) {
    const n = Math.floor(rnd() * 50);
    from = { name: `${pick(SYL)} news`, address: `news@${pick(SYL)}${n}.com` };
    to = [owner];
    subject = `Your ${pick(['weekly', 'monthly'])} update #${index}`;
    headers.push(
      `List-Id: <news.${from.address.split('@')[1] ?? ''}>`,
      `List-Unsubscribe: <mailto:unsub-${index}@${from.address.split('@')[1] ?? ''}>`,
      'Precedence: bulk',
    );
  } else if (kind < 0.14) {
    from = {
      name: 'Notifications',
      address: `${pick(['noreply', 'no-reply', 'notifications'])}@${pick(SYL)}app.io`,
    };
    to = [owner];
    subject = `[${pick(SYL)}] ${pick(['New login', 'Build passed', 'Invoice ready', 'Password changed'])}`;
  } else if (kind < 0.15) {
    from = person(Math.floor(rnd() * 2000));
    to = [owner];
    subject = `Automatic reply: ${pick(TOPICS)}`;
    headers.push('Auto-Submitted: auto-replied', 'X-Autoreply: yes');
  } else if (kind < 0.2) {
    from = owner;
    to = [colleague];
    subject = `Internal: ${pick(TOPICS)}`;
  } else if (kind < 0.45) {
    from = owner;
    to = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => person(Math.floor(rnd() * 2000)));
    cc = rnd() < 0.4 ? [person(Math.floor(rnd() * 2000)), colleague] : [];
  } else {
    from = person(Math.floor(rnd() * 2000));
    to = [owner];
    cc = rnd() < 0.3 ? [colleague] : rnd() < 0.2 ? [person(Math.floor(rnd() * 2000))] : [];
  }
  const isReply = rnd() < 0.4 && index > 0;
  if (isReply) {
    const parent = `<gen-${seed}-${Math.floor(rnd() * index)}@mail.gmail.com>`;
    headers.push(`In-Reply-To: ${parent}`, `References: ${parent}`);
  } else if (subject.startsWith('Re: ')) {
    subject = subject.slice(4);
  }
  const paragraphs = Array.from({ length: 2 + Math.floor(rnd() * 8) }, () =>
    Array.from({ length: 2 + Math.floor(rnd() * 4) }, () => pick(SENTENCES)).join(' '),
  );
  const quoted = isReply
    ? [
        '',
        `On ${date.toUTCString()}, ${to[0]?.name ?? ''} wrote:`,
        ...paragraphs.slice(0, 2).map((p) => `> ${p}`),
      ]
    : [];
  const text = [
    `Hi ${to[0]?.name.split(' ')[0] ?? 'there'},`,
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    `Best,`,
    from.name,
    ...quoted,
  ].join('\r\n');
  const boundary = `b1_${seed}_${index}`;
  const html = `<html><head>${kind < 0.1 ? '<style>p{font-family:Arial}</style>' : ''}</head><body>${paragraphs.map((p) => `<p>${p}</p>`).join('')}<p>Best,<br>${from.name}</p>${kind < 0.1 ? '<table><tr><td><a href="https://example.com/unsubscribe">Unsubscribe</a></td></tr></table>' : ''}</body></html>`;
  const attachmentSize =
    rnd() < 0.08 ? 20_000 + Math.floor(rnd() * 180_000) : rnd() < 0.01 ? 600_000 : 0;
  const lines: string[] = [
    `Received: from mx${index % 7}.example-mail.net (mx${index % 7}.example-mail.net [203.0.113.${index % 250}]) by mx.google.com with ESMTPS id x${index}; ${date.toUTCString()}`,
    `Received: from [10.0.${index % 200}.2] by smtp.example-mail.net with ESMTPSA; ${date.toUTCString()}`,
    `From: ${formatParty(from, rnd)}`,
    `To: ${to.map((p) => formatParty(p, rnd)).join(', ')}`,
    ...(cc.length > 0 ? [`Cc: ${cc.map((p) => formatParty(p, rnd)).join(', ')}`] : []),
    `Subject: ${subject}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${messageId}`,
    ...headers,
    'MIME-Version: 1.0',
    `X-Mailer: ${pick(['Microsoft Outlook 16.0', 'Apple Mail (2.3774)', 'Gmail', 'Thunderbird 128.0'])}`,
  ];
  const body: string[] = [];
  const multipart = rnd() < 0.6 || kind < 0.1;
  if (multipart || attachmentSize > 0) {
    lines.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
    body.push(`--${boundary}`);
    if (multipart) {
      body.push(
        `Content-Type: multipart/alternative; boundary="${boundary}_alt"`,
        '',
        `--${boundary}_alt`,
      );
      body.push(
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        qp(text),
        `--${boundary}_alt`,
      );
      body.push(
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        wrap64(Buffer.from(html)),
        `--${boundary}_alt--`,
      );
    } else {
      body.push(
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        text,
      );
    }
    if (attachmentSize > 0) {
      const bytes = Buffer.alloc(attachmentSize);
      for (let i = 0; i < attachmentSize; i += 4) {
        bytes.writeUInt32LE(Math.floor(rnd() * 4294967296), Math.min(i, attachmentSize - 4));
      }
      const file = pick(['proposal.pdf', 'volumes.xlsx', 'contract-v2.docx', 'photo.jpg']);
      body.push(
        `--${boundary}`,
        `Content-Type: application/octet-stream; name="${file}"`,
        `Content-Disposition: attachment; filename="${file}"`,
        'Content-Transfer-Encoding: base64',
        '',
        wrap64(bytes),
      );
    }
    body.push(`--${boundary}--`, '');
  } else {
    lines.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
    body.push(text, '');
  }
  return {
    raw: Buffer.from([...lines, '', ...body].join('\r\n')),
    providerMessageId: `bench-${seed}-${index}`,
  };
}

export function generateMessages(options: GenerateOptions): GeneratedMessage[] {
  return Array.from({ length: options.count }, (_, i) => generateMessage(i, options));
}

function formatParty(p: Party, rnd: () => number): string {
  const roll = rnd();
  if (roll < 0.1) {
    return p.address;
  }
  if (/[^\x20-\x7e]/.test(p.name)) {
    return roll < 0.5
      ? `=?UTF-8?B?${Buffer.from(p.name).toString('base64')}?= <${p.address}>`
      : `=?UTF-8?Q?${[...Buffer.from(p.name)].map((b) => (b > 127 || b === 0x5f || b === 0x3d || b === 0x3f ? `=${b.toString(16).toUpperCase().padStart(2, '0')}` : b === 32 ? '_' : String.fromCharCode(b))).join('')}?= <${p.address}>`;
  }
  if (roll < 0.3) {
    const [first, ...rest] = p.name.split(' ');
    return `"${rest.join(' ')}, ${first ?? ''}" <${p.address}>`;
  }
  return `${p.name} <${p.address}>`;
}

function wrap64(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

function qp(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\r\n')) {
    let encoded = [...Buffer.from(line)]
      .map((b) =>
        b === 61 || b > 126
          ? `=${b.toString(16).toUpperCase().padStart(2, '0')}`
          : String.fromCharCode(b),
      )
      .join('');
    const chunks: string[] = [];
    while (encoded.length > 75) {
      let cut = 75;
      const eq = encoded.lastIndexOf('=', cut);
      if (eq > cut - 3) {
        cut = eq;
      }
      chunks.push(`${encoded.slice(0, cut)}=`);
      encoded = encoded.slice(cut);
    }
    chunks.push(encoded);
    out.push(chunks.join('\r\n'));
  }
  return out.join('\r\n');
}
