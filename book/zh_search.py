"""A Sphinx extension: the Chinese edition's search finds whole words such as 学习率 or 卷积层.

Sphinx indexes Chinese pages with jieba (sphinx.search.zh), and jieba cuts the book's terms into
everyday words: 学习率 into 学习 + 率, 卷积层 into 卷积 + 层, and the index drops one-character
words. The search box (Sphinx's searchtools.js) splits a query only at spaces and punctuation, so
学习率 typed whole matched no entry of the index, and neither did 迭代周期 (迭代 + 周期), 卷积层输出 or
any other Chinese phrase longer than one indexed word. This extension fixes both halves:

- The index. The book's terms enter jieba's dictionary before the pages are indexed: the Chinese
  headwords of the glossary (book/glossary.md, read from the built glossary, so a new term needs
  no second entry) and the words listed in zh_search_words.txt beside this file. jieba then keeps
  them whole, and its search mode, which Sphinx uses (jieba.cut_for_search), indexes each one
  whole and as the dictionary words inside it (批量规范化: 批量规范化, 批量, 规范, 规范化), so a
  two-character word is found on every page where it was found before.
- The query. The search box cuts a Chinese query into the words that the index holds, as jieba
  cut the pages: a query that is itself an indexed word stays whole (学习率), one that is not is
  cut into the fewest indexed words that cover it (测试精度: 测试 + 精度; 卷积层的输出: 卷积层 + 输出),
  which searchtools.js then looks up as if they had been typed apart (it finds a page that holds
  all of them, or as many of them as there are words of three or more characters: Sphinx's rule
  for short words). The cut is made in the reader's browser, against
  the index it has loaded; a one-character rest (的) is dropped as the index drops it, a longer
  rest is kept, so a phrase in no page (香蕉飞船) still finds nothing.

The query half is Sphinx's own hook for languages whose words are not split by spaces: the
`js_splitter_code` of a search language, which Sphinx writes into _static/language_data.js as the
`splitQuery` function that searchtools.js calls. The Chinese search language of this book is
therefore Sphinx's own (SearchChinese: jieba, English stemming and stop words for the English
words) with that function added, registered with app.add_search_language.
"""
from __future__ import annotations

import re
from pathlib import Path

import jieba
from sphinx.search.zh import SearchChinese

WORD_LIST = Path(__file__).with_name("zh_search_words.txt")
HAN = re.compile(r"[\u4e00-\u9fff]{2,}")
# The frequency the book's words get in jieba's dictionary: that of a common word (训练 has 7,829,
# 学习 13,482), so that jieba keeps a term whole wherever it stands in a sentence. The least
# frequency that keeps it whole on its own (jieba.suggest_freq) is not enough: "测试集中" is
# then cut 测试 + 集中.
FREQUENCY = 10_000

SPLIT_QUERY = r"""
/* Chinese queries are cut into the words of the search index (book/zh_search.py). */
var splitQuery = (query) => {
  const index = (typeof Search !== "undefined" && Search._index) || {};
  // A word's entry: a page's number, or a list of them (an empty list once its pages are gone).
  const has = (table, word) => !!table && Object.prototype.hasOwnProperty.call(table, word)
      && [].concat(table[word]).length > 0;
  const indexed = (word) => has(index.terms, word) || has(index.titleterms, word);
  // The fewest indexed words that cover the most of a Chinese run: best[i] for run[0..i].
  const cut = (run) => {
    const best = [{rest: 0, count: 0, words: [], gap: ""}];
    const better = (a, b) => !b || a.rest < b.rest || (a.rest === b.rest && a.count < b.count);
    for (let i = 0; i < run.length; i++) {
      const at = best[i];
      const skip = {rest: at.rest + 1, count: at.count, words: at.words, gap: at.gap + run[i]};
      if (better(skip, best[i + 1])) best[i + 1] = skip;
      for (let j = i + 2; j <= run.length; j++) {
        if (!indexed(run.slice(i, j))) continue;
        const words = at.gap.length > 1 ? [...at.words, at.gap] : at.words;
        const next = {rest: at.rest, count: at.count + 1, words: [...words, run.slice(i, j)], gap: ""};
        if (better(next, best[j])) best[j] = next;
      }
    }
    const end = best[run.length];
    if (end.count === 0) return [run];  // no indexed word in it: the run as typed
    return end.gap.length > 1 ? [...end.words, end.gap] : end.words;
  };
  const words = [];
  query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).forEach((part) => {
    // Chinese apart from the letters and digits around it ("LeNet的卷积层": "LeNet", "的卷积层").
    (part.match(/\p{Script=Han}+|\P{Script=Han}+/gu) || []).forEach((run) => {
      if (!/\p{Script=Han}/u.test(run) || indexed(run)) words.push(run);
      else words.push(...cut(run));
    });
  });
  return words;
};
"""


class BookChinese(SearchChinese):
    """Sphinx's Chinese search, with the query split into the index's words (see above)."""
    js_splitter_code = SPLIT_QUERY


def book_words(env) -> list[str]:
    """The Chinese glossary headwords and the words of WORD_LIST."""
    words = set()
    for objtype, name in env.get_domain("std").objects:
        if objtype == "term":  # "批量规范化 (Batch normalization)", "one-cycle 学习率策略 (...)"
            words.update(HAN.findall(name))
    for line in WORD_LIST.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            words.add(line.strip())
    return sorted(words)


def add_words(app, env):
    """After reading, before indexing: the book's words into jieba's dictionary."""
    words = book_words(env)
    for word in words:
        jieba.add_word(word, FREQUENCY)
    # When the words change, every page is indexed again, not only the pages that changed.
    changed = getattr(env, "zh_search_words", None) != words
    env.zh_search_words = words
    return sorted(env.found_docs) if changed else []


def setup(app):
    app.add_search_language(BookChinese)  # in place of Sphinx's SearchChinese, for "zh" and "zh_CN"
    app.connect("env-updated", add_words)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
