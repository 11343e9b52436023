// SPDX-License-Identifier: MIT
// Tests for http/headers.h: Headers and the RFC 9110 character rules.
#include "http/headers.h"

#include <doctest/doctest.h>

#include <string>

using namespace weft::http;

TEST_CASE("get finds the first field, case-insensitively; getAll finds every one, in order") {
    Headers headers{{"Set-Cookie", "a=1"}, {"Content-Type", "text/html"}, {"set-cookie", "b=2"}};
    CHECK(headers.size() == 3);
    CHECK(headers.get("SET-COOKIE") == "a=1");
    CHECK(headers.getAll("Set-Cookie") == std::vector<std::string_view>{"a=1", "b=2"});
    CHECK(headers.get("Location") == std::nullopt);
    CHECK(headers.getAll("Location").empty());
    CHECK(headers.contains("content-type"));
    CHECK(!headers.contains("content-typ"));
}

TEST_CASE("add keeps others, set replaces every field of the name, remove counts") {
    Headers headers;
    CHECK(headers.empty());
    headers.add("A", "1");
    headers.add("B", "2");
    headers.add("a", "3");
    headers.set("A", "4");
    CHECK(headers.size() == 2);
    CHECK(headers[0] == Headers::Field{"B", "2"});
    CHECK(headers[1] == Headers::Field{"A", "4"});
    CHECK(headers.remove("b") == 1);
    CHECK(headers.remove("b") == 0);
    CHECK(headers.size() == 1);
    headers.clear();
    CHECK(headers.empty());
}

TEST_CASE("set may take its value from the same Headers") {
    Headers headers{{"A", "value of a"}, {"B", "b"}};
    headers.set("B", *headers.get("A"));
    CHECK(headers.get("B") == "value of a");
    headers.set("A", *headers.get("A"));
    CHECK(headers.get("A") == "value of a");
}

TEST_CASE("set in a loop does not grow without bound") {
    Headers headers;
    for (int i = 0; i < 100000; ++i) headers.set("Counter", std::to_string(i));
    CHECK(headers.get("Counter") == "99999");
    CHECK(headers.size() == 1);
}

TEST_CASE("iteration gives name and value in order; equality ignores name case") {
    Headers a{{"X", "1"}, {"Y", "2"}};
    std::string joined;
    for (auto [name, value] : a) joined += std::string(name) + "=" + std::string(value) + ";";
    CHECK(joined == "X=1;Y=2;");
    CHECK(a == Headers{{"x", "1"}, {"y", "2"}});
    CHECK(a != Headers{{"x", "1"}, {"y", "3"}});
    CHECK(a != Headers{{"y", "2"}, {"x", "1"}});
    Headers copy = a;
    copy.add("Z", "3");
    CHECK(a.size() == 2);
    CHECK(copy.get("Z") == "3");
}

TEST_CASE("hasToken reads comma lists with OWS, any case, parameters ignored") {
    Headers headers{{"Connection", "keep-alive,  Upgrade"}, {"connection", " ,close ;x=1"}};
    CHECK(headers.hasToken("Connection", "upgrade"));
    CHECK(headers.hasToken("CONNECTION", "Close"));
    CHECK(headers.hasToken("Connection", "keep-alive"));
    CHECK(!headers.hasToken("Connection", "keep"));
    CHECK(!headers.hasToken("Upgrade", "close"));
    CHECK(hasListToken("a,b", "b"));
    CHECK(!hasListToken("", "b"));
    CHECK(!hasListToken("ab", "b"));
}

TEST_CASE("tokens and field values follow RFC 9110") {
    CHECK(isToken("Content-Type"));
    CHECK(isToken("!#$%&'*+-.^_`|~09azAZ"));
    CHECK(!isToken(""));
    CHECK(!isToken("a b"));
    CHECK(!isToken("a:b"));
    CHECK(!isToken("a\"b"));
    CHECK(!isToken("caf\xc3\xa9"));
    CHECK(isFieldValue("text/html; charset=\"utf-8\"\t caf\xc3\xa9"));
    CHECK(isFieldValue(""));
    CHECK(!isFieldValue("a\r\nb"));
    CHECK(!isFieldValue(std::string("a\0b", 3)));
    CHECK(!isFieldValue("a\x7f"));
    CHECK(trimOws(" \t a b \t") == "a b");
    CHECK(trimOws("  ").empty());
    CHECK(equalsIgnoreCase("HoSt", "hOsT"));
    CHECK(!equalsIgnoreCase("Host", "Hosts"));
}
