// simdjson_lines.cpp — bench-only baseline (issue 21): simdjson on-demand
// over a native traces JSONL file, touching what tailscope reads per line:
// every step's token and logprob and every alternative's token and logprob.
// Built only when libsimdjson-dev is installed (tests/bench/simdjson/
// simdjson.mk), run by bench_report; never linked into tailscope.
// usage: simdjson_lines FILE   (prints steps, alternatives, a checksum)
#include <simdjson.h>

#include <cstdio>
#include <fstream>
#include <string>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	std::ifstream in(argv[1], std::ios::binary);
	if (!in)
		return 2;
	simdjson::ondemand::parser parser;
	std::string line;
	size_t steps = 0, alts = 0, bytes = 0, bad = 0;
	double sum = 0;
	while (std::getline(in, line)) {
		simdjson::padded_string ps(line);
		simdjson::ondemand::document doc;
		if (parser.iterate(ps).get(doc)) {
			bad++;
			continue;
		}
		simdjson::ondemand::array toks;
		if (doc["tokens"].get_array().get(toks)) {
			bad++;
			continue;
		}
		for (auto st : toks) {
			simdjson::ondemand::object o;
			if (st.get_object().get(o))
				break;
			for (auto f : o) {
				std::string_view k;
				if (f.unescaped_key().get(k))
					break;
				if (k == "token") {
					std::string_view s;
					if (!f.value().get_string().get(s))
						bytes += s.size();
				} else if (k == "logprob") {
					double v;
					if (!f.value().get_double().get(v))
						sum += v;
				} else if (k == "top_logprobs") {
					simdjson::ondemand::array a;
					if (f.value().get_array().get(a))
						break;
					for (auto e : a) {
						simdjson::ondemand::object ao;
						if (e.get_object().get(ao))
							break;
						std::string_view s;
						double v;
						if (!ao["token"].get_string().get(s))
							bytes += s.size();
						if (!ao["logprob"].get_double().get(v))
							sum += v;
						alts++;
					}
				}
			}
			steps++;
		}
	}
	std::printf("%zu steps, %zu alternatives, %zu token bytes, %zu bad lines, sum %.3f\n", steps, alts,
	            bytes, bad, sum);
	return 0;
}
