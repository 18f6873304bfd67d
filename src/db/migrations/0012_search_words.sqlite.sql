-- 0012_search_words (SQLite)
--
-- Nothing to change: FTS5's unicode61 tokenizer already splits host names,
-- e-mail addresses, versions and paths into words. The PostgreSQL twin makes
-- its index split them the same way.
SELECT 1;
