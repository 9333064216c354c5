import { describe, expect, it } from "vitest";
import { extractFacts, type VerifyReason, verifyCandidate } from "../../../shared/cache/semantic/verify";

const SAME: [string, string][] = [
  ["What is the capital of France?", "what is the capital of France"],
  ["What is 15% of 80?", "What's 15 percent of 80?"],
  ["What is 2+2?", "What is two plus two?"],
  ["Give me 3 tips", "Give me three tips"],
  ["Who won in 1,000 BC?", "Who won in 1000 BC?"],
  ["Is 3.50 more than 3?", "Is 3.5 more than 3?"],
  ["Why doesn't my code compile?", "Why does my code not compile?"],
  ["Translate 'good morning' into French", 'Translate "good morning" into French'],
  ["How do I use JSON.parse in JavaScript?", "How to use JSON.parse in JavaScript"],
  ["What's France's capital?", "What is the capital of France?"],
  ["Paris is nice in May?", "Is Paris nice in May?"],
  ["Summarize the Tesla article", "Can you summarize the Tesla article?"],
  ["How do I remove a file in Linux?", "How can I delete a file in Linux?"],
  ["Convert $5 to euros", "Convert 5 dollars to euros"],
  ["Read https://example.com/docs.", "Please read https://example.com/docs"],
  ["Which one is better?", "Which is better?"],
];

const DIFFERENT: [string, string, VerifyReason][] = [
  ["What is 15% of 80?", "What is 15% of 90?", "numbers"],
  ["What is 10 - 3?", "What is 10 + 3?", "numbers"],
  ["Is -5 less than 5?", "Is 5 less than 5?", "numbers"],
  ["Rank the 2nd best", "Rank the 3rd best", "numbers"],
  ["Give me twenty-one ideas", "Give me 22 ideas", "numbers"],
  ["What is 12 times 12?", "What is 12 times 13?", "numbers"],
  ["Is 5% good?", "Is 5 good?", "numbers"],
  ["Which foods are safe for dogs?", "Which foods are not safe for dogs?", "negation"],
  ["Make bread with yeast", "Make bread without yeast", "negation"],
  ["Which countries use the euro?", "Which countries don't use the euro?", "negation"],
  ["List animals that can fly.", "List animals that cannot fly.", "negation"],
  ["Write a story where the hero wins.", "Write a story where the hero never wins.", "negation"],
  ["What is the capital of Austria?", "What is the capital of Australia?", "entities"],
  ["Who is the CEO of Microsoft?", "Who is the CEO of Apple?", "entities"],
  ["Translate from English to French", "Translate from French to English", "entities"],
  ["Is it legal in the USA?", "Is it legal in the UK?", "entities"],
  ["What does 'ephemeral' mean?", "What does 'ethereal' mean?", "quoted"],
  ['Count the vowels in "banana"', 'Count the vowels in "bandana"', "quoted"],
  ["What does `arr.map()` return?", "What does `arr.filter()` return?", "code"],
  ["What does this print?\n```py\nprint(2 ** 3)\n```", "What does this print?\n```py\nprint(3 ** 2)\n```", "code"],
  ["How do I use os.path.join?", "How do I use os.path.split?", "code"],
  ["What does max_tokens do?", "What does max_retries do?", "code"],
  ["What does useState do?", "What does useEffect do?", "code"],
  ["Difference between let and const?", "Difference between var and const?", "code"],
  ["What does rm -rf do?", "What does rm -r do?", "code"],
  ["Open src/index.ts", "Open src/main.ts", "code"],
  ["Visit https://a.example.com", "Visit https://b.example.com", "urls"],
  ["Email bob@example.com", "Email alice@example.com", "urls"],
  ["How many seconds are in a day?", "How many minutes are in a day?", "units"],
  ["Convert 100 F to C", "Convert 100 C to F", "units"],
  ["What is 100 dollars in euros?", "What is 100 pounds in euros?", "units"],
  ["Walk 5 km", "Walk 5 miles", "units"],
  ["What is the largest planet?", "What is the smallest planet?", "contrast"],
  ["Eat before a workout?", "Eat after a workout?", "contrast"],
  ["Is it time to buy gold?", "Is it time to sell gold?", "contrast"],
  ["How do I enable dark mode?", "How do I disable dark mode?", "contrast"],
  ["Sort in ascending order", "Sort in descending order", "contrast"],
  ["Convert to uppercase", "Convert to lowercase", "contrast"],
  ["Who wrote it?", "When was it written?", "contrast"],
  ["What is the weather tomorrow?", "What is the weather today?", "contrast"],
];

describe("verifyCandidate", () => {
  it.each(SAME)("accepts %j ≈ %j", (a, b) => {
    expect(verifyCandidate(a, b)).toEqual({ ok: true });
    expect(verifyCandidate(b, a)).toEqual({ ok: true });
  });

  it.each(DIFFERENT)("rejects %j vs %j (%s)", (a, b, reason) => {
    expect(verifyCandidate(a, b)).toEqual({ ok: false, reason });
    expect(verifyCandidate(b, a)).toEqual({ ok: false, reason });
  });

  it("accepts identical texts whatever they contain", () => {
    const text = "Compare `x.y()` with 'z', 5% of $3 at https://x.io — not before Tuesday!";
    expect(verifyCandidate(text, `  ${text}\n`)).toEqual({ ok: true });
  });

  it("never puts text in the reason", () => {
    const verdict = verifyCandidate("What is 1?", "What is 2?");
    expect(verdict).toEqual({ ok: false, reason: "numbers" });
  });
});

describe("extractFacts", () => {
  it("finds each kind of fact once, in order", () => {
    const facts = extractFacts("Does `npm ci` in Node.js not use 2 GB at https://x.io/a, per 'docs'? Ask Bob before 5 pm");
    expect(facts).toMatchObject({
      urls: ["https://x.io/a"],
      code: ["npm ci", "Node.js"],
      quoted: ["docs"],
      numbers: ["2", "5"],
      units: ["gb"],
      negation: ["not"],
      entities: ["gb", "bob"],
      contrast: ["before"],
    });
  });

  it("does not take sentence-opening words or I for names, but does take unusual openers", () => {
    expect(extractFacts("What is it? Please tell me. I think so.").entities).toEqual([]);
    expect(extractFacts("Paris is big.").entities).toEqual(["paris"]);
  });
});
