/**
 * Word tables for `verify.ts`: general English, not tuned to any evaluation item. Each table maps a
 * surface form to a canonical token, so paraphrases compare equal and opposites never do.
 */

const table = (groups: Record<string, string>): Map<string, string> => {
  const out = new Map<string, string>();
  for (const [canonical, words] of Object.entries(groups)) for (const w of words.split(" ")) out.set(w, canonical);
  return out;
};

/** Cardinal number words → value. */
export const NUMBER_WORDS = new Map<string, number>(
  (
    "zero:0 one:1 two:2 three:3 four:4 five:5 six:6 seven:7 eight:8 nine:9 ten:10 eleven:11 twelve:12 thirteen:13 " +
    "fourteen:14 fifteen:15 sixteen:16 seventeen:17 eighteen:18 nineteen:19 twenty:20 thirty:30 forty:40 fifty:50 " +
    "sixty:60 seventy:70 eighty:80 ninety:90 hundred:100 thousand:1000 million:1000000 billion:1000000000 trillion:1000000000000"
  )
    .split(" ")
    .map((pair) => {
      const [w, n] = pair.split(":");
      return [w as string, Number(n)];
    }),
);

/** Ordinal words → value (compared as `#n`, apart from cardinals). */
export const ORDINAL_WORDS = new Map<string, number>(
  "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
    .split(" ")
    .map((w, i) => [w, i + 1]),
);

/** Words before which `one` is a pronoun, not a number ("which one", "this one"). */
export const ONE_AS_PRONOUN_AFTER = new Set("which this that the each every any no some another only other a".split(" "));

/** Arithmetic words → operator. */
export const OPERATOR_WORDS = table({ "+": "plus", "-": "minus", "*": "times multiplied", "/": "divided" });

/** Words that negate or exclude (words ending in n't are negations too). */
export const NEGATIONS = new Set("not no never none nothing nobody nowhere neither nor without cannot except excluding unless".split(" "));

/**
 * Words whose swap for an opposite changes the answer while an embedding barely moves:
 * canonical token ← surface forms. A text's tokens must equal the candidate's, in order.
 */
export const CONTRASTS = table({
  more: "more most greater greatest higher highest maximum max larger largest bigger biggest increase increases increased increasing raise rise exceed above",
  less: "less least fewer fewest lower lowest minimum min smaller smallest decrease decreases decreased decreasing reduce reduced below",
  faster: "faster fastest quicker quickest",
  slower: "slower slowest slow",
  better: "good better best",
  worse: "bad worse worst",
  hot: "hot hotter hottest warm warmer",
  cold: "cold colder coldest",
  before: "before earlier prior previous ago",
  after: "after later afterwards following",
  yesterday: "yesterday",
  today: "today tonight",
  tomorrow: "tomorrow",
  past: "past",
  future: "future",
  last: "last final",
  true: "true",
  false: "false",
  left: "left",
  right: "right",
  north: "north northern",
  south: "south southern",
  east: "east eastern",
  west: "west western",
  add: "add adding adds added insert append",
  remove: "remove removing removes removed delete deleting deleted erase drop",
  include: "include includes including inclusive",
  exclude: "exclude excludes exclusive",
  enable: "enable enabled activate",
  disable: "disable disabled deactivate off",
  open: "open opening",
  close: "close closing closed",
  start: "start starting begin beginning",
  stop: "stop stopping",
  buy: "buy buying bought purchase",
  sell: "sell selling sold",
  import: "import importing",
  export: "export exporting",
  upload: "upload uploading",
  download: "download downloading",
  upgrade: "upgrade upgrading",
  downgrade: "downgrade downgrading",
  encrypt: "encrypt encryption encrypting",
  decrypt: "decrypt decryption decrypting",
  encode: "encode encoding",
  decode: "decode decoding",
  compress: "compress compression",
  decompress: "decompress decompression",
  push: "push",
  pull: "pull",
  send: "send sending sent",
  receive: "receive receiving received",
  accept: "accept accepted allow allowed permit",
  reject: "reject rejected deny denied forbid block blocked",
  win: "win winning won",
  lose: "lose losing lost",
  ascending: "ascending",
  descending: "descending",
  uppercase: "uppercase",
  lowercase: "lowercase",
  input: "input",
  output: "output",
  positive: "positive",
  negative: "negative",
  male: "male man men boy boys",
  female: "female woman women girl girls",
  day: "daytime",
  night: "night nighttime",
  early: "early",
  late: "late",
  long: "long longer longest",
  short: "short shorter shortest",
  heavy: "heavy heavier heaviest",
  light: "light lighter lightest",
  easy: "easy easier easiest",
  hard: "hard harder hardest difficult",
  cheap: "cheap cheaper cheapest inexpensive",
  expensive: "expensive",
  safe: "safe safer safest",
  dangerous: "dangerous unsafe",
  legal: "legal",
  illegal: "illegal",
  possible: "possible",
  impossible: "impossible",
  summer: "summer",
  winter: "winter",
  spring: "spring",
  autumn: "autumn fall",
  who: "who whom whose",
  when: "when",
  where: "where",
  why: "why",
});

/** Units anywhere in the text (unambiguous words) → canonical unit. */
export const UNITS = table({
  mm: "millimeter millimeters millimetre millimetres mm",
  cm: "centimeter centimeters centimetre centimetres cm",
  m: "meter meters metre metres",
  km: "kilometer kilometers kilometre kilometres km",
  in: "inch inches",
  ft: "foot feet ft",
  yd: "yard yards yd",
  mi: "mile miles",
  mg: "milligram milligrams mg",
  g: "gram grams",
  kg: "kilogram kilograms kilo kilos kg",
  lb: "pound pounds lb lbs",
  oz: "ounce ounces oz",
  t: "ton tons tonne tonnes",
  C: "celsius centigrade",
  F: "fahrenheit",
  K: "kelvin",
  ms: "millisecond milliseconds ms",
  s: "seconds sec secs",
  min: "minute minutes mins",
  h: "hour hours hr hrs",
  d: "day days",
  wk: "week weeks",
  mo: "month months",
  yr: "year years yr yrs",
  decade: "decade decades",
  century: "century centuries",
  byte: "byte bytes",
  bit: "bit bits",
  kb: "kb kilobyte kilobytes",
  mb: "mb megabyte megabytes",
  gb: "gb gigabyte gigabytes",
  tb: "tb terabyte terabytes",
  usd: "dollar dollars usd $",
  eur: "euro euros eur €",
  gbp: "gbp sterling £",
  jpy: "yen jpy ¥",
  cent: "cent cents",
  l: "liter liters litre litres",
  ml: "milliliter milliliters millilitre millilitres ml",
  gal: "gallon gallons",
  cup: "cup cups",
  tbsp: "tablespoon tablespoons tbsp",
  tsp: "teaspoon teaspoons tsp",
  mph: "mph",
  kmh: "kph kmh",
  w: "watt watts",
  kw: "kilowatt kilowatts kw",
  v: "volt volts",
  pct: "percent percentage pct %",
});

/** Units written as a short word that only counts right after a number ("5 m", "10 s", "3 h"). */
export const UNITS_AFTER_NUMBER = table({
  m: "m",
  s: "s second",
  h: "h",
  g: "g",
  l: "l",
  min: "min",
  C: "c",
  F: "f",
  k: "k",
  d: "d",
  b: "b",
  w: "w",
  v: "v",
});

/**
 * Words that may open a sentence in any question or instruction: a capitalised one of these at a
 * sentence start is not a name. Any other capitalised word is treated as a name (a false miss at
 * worst, never a false hit).
 */
export const SENTENCE_STARTERS = new Set(
  (
    "what what's whats which who who's whom whose when when's where where's why why's how how's whether " +
    "is isn't are aren't was wasn't were weren't am be do does doesn't did didn't don't have has had can can't could " +
    "couldn't would wouldn't should shouldn't will won't shall may might must need " +
    "i i'm i've i'd i'll me my mine we we're we've our us you you're your yours he she it it's its they they're their them " +
    "this that these those there there's here here's the a an some any all each every both either neither no none not " +
    "and or but so yet also then now if because since although though while unless until once after before " +
    "in on at for from to with without by of about into onto over under between through during per via " +
    "please kindly hi hello hey thanks thank ok okay yes sure well just actually basically quick quickly " +
    "tell give show list explain describe write create make generate summarize summarise translate compare define " +
    "find calculate compute convert name provide suggest recommend help let let's lets get put set use using used " +
    "based given assuming suppose imagine consider rewrite fix debug implement check verify add remove count sort " +
    "pick choose select draft compose outline answer solve evaluate estimate identify classify rank rate review " +
    "do's say says said see look read keep try run go going want wanted like would've could've should've " +
    "in-depth step first second third next finally lastly then also additionally however therefore otherwise " +
    "one two three four five six seven eight nine ten many much more most few less least several " +
    "brief briefly short simple simply ask teach guide clarify elaborate continue share offer assist improve optimize " +
    "optimise refactor design plan prepare build brainstorm paraphrase rephrase reword shorten expand simplify proofread " +
    "edit correct predict analyze analyse interpret discuss argue justify prove derive demonstrate illustrate pretend act " +
    "respond reply return print format fill complete finish start stop wait remember forget note think know believe " +
    "wonder mean"
  ).split(" "),
);

/**
 * Lowercase words that are programming keywords, types or tools and rarely plain English: they are
 * code, compared exactly ("let and const" is not "var and const").
 */
export const CODE_WORDS = new Set(
  (
    "var const async await def elif lambda yield typeof instanceof struct enum impl fn func nullptr null undefined nil nan " +
    "bool boolean int float char str void dict tuple hashmap hashset vec arraylist goroutine chan defer " +
    "sudo chmod chown grep sed awk curl wget npm npx pip yarn pnpm kubectl ssh scp rsync cron crontab regex " +
    "json yaml toml xml html css sql http https tcp udp dns api graphql jwt oauth utf ascii unicode " +
    "rebase stash checkout cherry-pick argv stdin stdout stderr malloc printf println sizeof"
  ).split(" "),
);
