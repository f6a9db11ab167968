/* The book's search ranking (Sphinx's html_search_scorer; Sphinx copies
 * this file into _static/language_data.js, read by the search page).
 *
 * Sphinx scores a page by the best single word it contains, so a search
 * for "batch normalization" ranked every chapter with "batch" in a heading
 * alike, and alphabetical order put Chapter 1 first. Here a result's score
 * is, from strongest to weakest:
 *
 *   1. where the whole query stands on its page: a heading that is the
 *      query ("Adam") or the page title containing it (300), a heading
 *      containing it as words, so "im2col" but not "course_lib.im2col"
 *      (200), every query word in some heading (100), else nothing;
 *   2. a chapter rather than a reference page (+10): the chapters teach,
 *      the glossary and the API pages only name;
 *   3. Sphinx's own score (title words 15, body words 5, API objects 11-26);
 *   4. reading order, below one point: among equals, the earlier chapter
 *      (the one that teaches the term first) comes first.
 *
 * Chinese has no spaces between words. The index holds the words jieba
 * cut the Chinese pages into (the glossary's terms kept whole), so a run of
 * Chinese characters in the query is cut into the longest words the index
 * knows ("批量归一化的作用" -> 批量归一化, 作用), and a heading contains the
 * query when it contains its characters in a row.
 *
 * Opened from disk (file://), the browser forbids the search page to read
 * the other pages, so no snippets are requested (each request would only
 * log an error) and a note says how to get them.
 */
var Scorer = {
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: {0: 15, 1: 5, 2: -5},
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,

  _query: null,
  _levels: null,

  // Words as the book's headings write them: identifiers such as
  // course_lib.im2col or he_normal stay whole; Chinese counts character by
  // character, so a Chinese query is found inside a longer run.
  _split: (text) => text.toLowerCase().split(/[^\p{L}\p{N}_.]+|\.(?=\s|$)/u)
    .filter((w) => w.length > 0),
  _words: (text) => Scorer._split(text)
    .flatMap((w) => w.match(/\p{Script=Han}|[^\p{Script=Han}]+/gu)),

  // A query word with Chinese in it, cut into the longest words the index
  // knows; Chinese characters that start no known word are left out (the
  // index has no one-character words), an unknown run is kept whole.
  _cut: (word) => {
    const index = Search._index;
    if (!index || !/\p{Script=Han}/u.test(word)) return [word];
    const known = (w) => Object.hasOwn(index.terms, w) ||
      Object.hasOwn(index.titleterms, w);
    return word.match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu).flatMap((run) => {
      if (!/\p{Script=Han}/u.test(run) || known(run)) return [run];
      const words = [];
      for (let i = 0; i < run.length;) {
        let j = run.length;
        while (j > i + 1 && !known(run.slice(i, j))) j--;
        if (j > i + 1) words.push(run.slice(i, j));
        i = Math.max(j, i + 1);
      }
      return words.length > 0 ? words : [run];
    });
  },

  _contains: (haystack, needle) => {
    if (needle.length === 0 || needle.length > haystack.length) return false;
    for (let i = 0; i + needle.length <= haystack.length; i++) {
      if (needle.every((w, j) => haystack[i + j] === w)) return true;
    }
    return false;
  },

  // Level 0-3 of every page for the current query (computed once).
  _pageLevels: () => {
    const index = Search._index;
    const query = Scorer._words(Scorer._query || "");
    const levels = new Map();
    if (!index || query.length === 0) return levels;
    const stemmer = new Stemmer();
    const stems = Scorer._split(Scorer._query || "").flatMap(Scorer._cut)
      .filter((w) => stopwords.indexOf(w) === -1)
      .map((w) => stemmer.stemWord(w));
    const raise = (file, level) =>
      levels.set(file, Math.max(levels.get(file) || 0, level));
    for (const [heading, places] of Object.entries(index.alltitles)) {
      const words = Scorer._words(heading);
      const exact = words.length === query.length &&
        Scorer._contains(words, query);
      const inside = Scorer._contains(words, query);
      for (const [file] of places) {
        const isTitle = index.titles[file] === heading;
        if (exact || (inside && isTitle)) raise(file, 3);
        else if (inside) raise(file, 2);
      }
    }
    index.docnames.forEach((_, file) => {
      const inHeadings = stems.length > 0 && stems.every((s) => {
        const files = index.titleterms[s];
        if (files === undefined) return false;
        return files === file || (files.length !== undefined &&
                                  files.includes(file));
      });
      if (inHeadings) raise(file, 1);
    });
    return levels;
  },

  score: (result) => {
    const [docname, , , , score] = result;
    const index = Search._index;
    if (Scorer._levels === null) Scorer._levels = Scorer._pageLevels();
    const file = index.docnames.indexOf(docname);
    const level = Scorer._levels.get(file) || 0;
    const chapter = /^book\/\d\d_/.test(docname) ? 10 : 0;
    const order = (index.docnames.length - file) / (index.docnames.length + 1);
    return 100 * level + chapter + score + order;
  },
};

(() => {
  if (typeof splitQuery !== "undefined") {
    const split = splitQuery;
    splitQuery = (query) => split(query).flatMap(Scorer._cut);
  }
  if (typeof Search !== "undefined" && Search.query) {
    const query = Search.query;
    Search.query = (text) => {
      Scorer._query = text;
      Scorer._levels = null;
      return query(text);
    };
  } else {
    Scorer._query = new URLSearchParams(window.location.search).get("q");
  }
  if (window.location.protocol === "file:") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
    document.addEventListener("DOMContentLoaded", () => {
      const results = document.getElementById("search-results");
      if (!results) return;
      const note = document.createElement("p");
      note.className = "course-search-note";
      note.textContent = "Opened from disk, the search lists the pages " +
        "without snippets. For snippets, serve the book: " +
        "python -m http.server --directory _build/html";
      results.insertAdjacentElement("beforebegin", note);
    });
  }
})();
