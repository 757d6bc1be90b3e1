/* The C ABI end to end: the quickstart betslip routed from C, against the legs worked out by
 * hand in tests/engine/test_engine_route_cases.py, plus the error paths (a refused argument
 * gives a status code and a message naming it, never a crash).
 *
 * Usage: route_quickstart path/to/quickstart_betslip.json
 * scripts/check-capi builds it against libwagerkit and runs it under valgrind. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wagerkit.h"

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (cond) {                                                                    \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                              \
    } while (0)

/* A call that must succeed: on failure, print the library's message. */
#define OK(call)                                                                       \
    do {                                                                               \
        WagerkitStatus status_ = (call);                                               \
        if (status_ != WAGERKIT_STATUS_OK) {                                           \
            fprintf(stderr, "%s:%d: %s -> status %d: %s\n", __FILE__, __LINE__, #call, \
                    (int)status_, wagerkit_last_error());                              \
        }                                                                              \
        CHECK(status_ == WAGERKIT_STATUS_OK);                                          \
    } while (0)

#define PIN "id1000004461512432:pinnacle:103:0"
#define SHARP "id1000004461512432:sharpbet:103:0"

static int str_eq(const char *a, const char *b) { return a != NULL && b != NULL && strcmp(a, b) == 0; }

/* One expected leg: (key, account, price, stake in account currency, currency, order_stake). */
typedef struct {
    const char *key;
    const char *account;
    double price;
    int64_t stake;
    const char *currency;
    int64_t order_stake;
} ExpectedLeg;

/* One hand-worked case of test_engine_route_cases.py. */
typedef struct {
    const char *name;
    int64_t stake;
    const char *currency;
    double price;
    bool accept_better_odds;
    bool accept_partial_stake;
    bool back;
    const char *bookmaker; /* NULL: every bookmaker */
    WagerkitRouteStatus status;
    uint8_t mode;
    size_t leg_count;
    ExpectedLeg legs[2];
    int32_t decline;
    const char *message; /* NULL: not checked */
} Case;

#define SHARP_FULL {SHARP, "sharpbet_user", 2.0, 75134, "EUR", 88613}
#define FILLED WAGERKIT_ROUTE_STATUS_FILLED
#define PARTIAL WAGERKIT_ROUTE_STATUS_PARTIAL
#define WAITING WAGERKIT_ROUTE_STATUS_WAITING
#define DECLINED WAGERKIT_ROUTE_STATUS_DECLINED

static const Case CASES[] = {
    {"10 USD, all books", 1000, "USD", 1.95, true, true, true, NULL, FILLED, 4, 1,
     {{SHARP, "sharpbet_user", 2.0, 847, "EUR", 999}}, 0, ""},
    {"3 USD, all books", 300, "USD", 1.95, true, true, true, NULL, FILLED, 4, 1,
     {{SHARP, "sharpbet_user", 2.0, 254, "EUR", 300}}, 0, ""},
    {"1000 USD, all books", 100000, "USD", 1.95, true, true, true, NULL, FILLED, 4, 2,
     {SHARP_FULL, {PIN, "pinnacle_main", 1.98, 11387, "USD", 11387}}, 0, ""},
    {"20000 USD, all books, partial", 2000000, "USD", 1.95, true, true, true, NULL, PARTIAL, 4, 2,
     {SHARP_FULL, {PIN, "pinnacle_main", 1.98, 1500000, "USD", 1500000}}, 0, NULL},
    {"1000 USD, all books, no partial (mode 3)", 100000, "USD", 1.95, true, false, true, NULL,
     FILLED, 3, 2, {SHARP_FULL, {PIN, "pinnacle_main", 1.98, 11387, "USD", 11387}}, 0, ""},
    {"20000 USD, all books, no partial (mode 3)", 2000000, "USD", 1.95, true, false, true, NULL,
     DECLINED, 3, 0, {{0}}, WAGERKIT_DECLINE_STAKE_EXCEEDS_LIMIT,
     "Order stake 20000.00 USD exceeds available limit 15886.13 USD"},
    {"10 USD, pinnacle only, no partial (mode 1)", 1000, "USD", 1.95, true, false, true,
     "pinnacle", FILLED, 1, 1, {{PIN, "pinnacle_main", 1.98, 1000, "USD", 1000}}, 0, ""},
    {"20000 USD, pinnacle only, no partial", 2000000, "USD", 1.95, true, false, true, "pinnacle",
     DECLINED, 1, 0, {{0}}, WAGERKIT_DECLINE_STAKE_EXCEEDS_LIMIT,
     "Order stake 20000.00 USD exceeds available limit 15000.00 USD"},
    {"1000 USD, sharpbet only, no partial", 100000, "USD", 1.95, true, false, true, "sharpbet",
     DECLINED, 1, 0, {{0}}, WAGERKIT_DECLINE_STAKE_EXCEEDS_LIMIT,
     "Order stake 1000.00 USD exceeds available limit 886.13 USD"},
    {"0.50 USD, sharpbet only, no partial", 50, "USD", 1.95, true, false, true, "sharpbet",
     DECLINED, 1, 0, {{0}}, WAGERKIT_DECLINE_STAKE_BELOW_MINIMUM,
     "Order stake 0.50 USD is below minimum stake 1.18 USD"},
    {"3 USD, pinnacle only, no partial", 300, "USD", 1.95, true, false, true, "pinnacle",
     DECLINED, 1, 0, {{0}}, WAGERKIT_DECLINE_STAKE_BELOW_MINIMUM,
     "Order stake 3.00 USD is below minimum stake 5.00 USD"},
    {"10 USD at 2.00, pinnacle only, no partial", 1000, "USD", 2.0, true, false, true,
     "pinnacle", WAITING, 1, 0, {{0}}, 0, NULL},
    {"20000 USD, pinnacle only, partial (mode 2)", 2000000, "USD", 1.95, true, true, true,
     "pinnacle", PARTIAL, 2, 1, {{PIN, "pinnacle_main", 1.98, 1500000, "USD", 1500000}}, 0, NULL},
    {"100 EUR, all books", 10000, "EUR", 1.95, true, true, true, NULL, FILLED, 4, 1,
     {{SHARP, "sharpbet_user", 2.0, 10000, "EUR", 10000}}, 0, ""},
    {"1000 USD at exactly 1.98", 100000, "USD", 1.98, false, true, true, NULL, FILLED, 4, 1,
     {{PIN, "pinnacle_main", 1.98, 100000, "USD", 100000}}, 0, ""},
    {"1000 USD at 2.00", 100000, "USD", 2.0, true, true, true, NULL, PARTIAL, 4, 1, {SHARP_FULL},
     0, NULL},
    {"1000 USD at 1.99", 100000, "USD", 1.99, true, true, true, NULL, FILLED, 4, 2,
     {SHARP_FULL, {PIN, "pinnacle_main", 1.98, 11387, "USD", 11387}}, 0, ""},
    {"1000 USD at 1.999", 100000, "USD", 1.999, true, true, true, NULL, PARTIAL, 4, 2,
     {SHARP_FULL, {PIN, "pinnacle_main", 1.98, 4663, "USD", 4663}}, 0, NULL},
    {"10 USD lay", 1000, "USD", 1.95, true, true, false, NULL, DECLINED, 4, 0, {{0}},
     WAGERKIT_DECLINE_BOOKMAKER_NOT_AVAILABLE, "No odds available from any bookmaker"},
    {"10 USD at betfair", 1000, "USD", 1.95, true, true, true, "betfair", DECLINED, 2, 0, {{0}},
     WAGERKIT_DECLINE_BOOKMAKER_NOT_AVAILABLE, "No odds available from betfair"},
    {"1000 JPY", 1000, "JPY", 1.95, true, true, true, NULL, DECLINED, 4, 0, {{0}},
     WAGERKIT_DECLINE_CURRENCY_CONVERSION_FAILED, "No exchange rate for JPY"},
};

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    char *data = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size >= 0 && fseek(f, 0, SEEK_SET) == 0) {
            data = malloc((size_t)size + 1);
            if (data != NULL && fread(data, 1, (size_t)size, f) == (size_t)size) {
                *len = (size_t)size;
            } else {
                free(data);
                data = NULL;
            }
        }
    }
    fclose(f);
    return data;
}

static void check_case(const Case *c, WagerkitBook *book, const WagerkitFx *fx) {
    WagerkitOrderOptions options = wagerkit_order_options_default();
    options.accept_better_odds = c->accept_better_odds;
    options.accept_partial_stake = c->accept_partial_stake;
    options.back = c->back;
    const char *names[1] = {c->bookmaker};
    if (c->bookmaker != NULL) {
        options.bookmakers = names;
        options.bookmaker_count = 1;
    }
    WagerkitOrder *order = NULL;
    OK(wagerkit_order_new(c->stake, c->currency, c->price, &options, &order));
    if (order == NULL) return;
    WagerkitRoutePlan *plan = NULL;
    OK(wagerkit_route(order, book, fx, NULL, 0, &plan));
    CHECK(wagerkit_order_mode(order) == c->mode);
    wagerkit_order_free(order);
    if (plan == NULL) return;

    WagerkitPlanSummary s;
    OK(wagerkit_plan_summary(plan, &s));
    int64_t legs_total = 0;
    for (size_t i = 0; i < c->leg_count; i++) legs_total += c->legs[i].order_stake;
    if (s.status != c->status || s.leg_count != c->leg_count) {
        fprintf(stderr, "case %s: status %d with %zu legs\n", c->name, (int)s.status, s.leg_count);
    }
    CHECK(s.status == c->status);
    CHECK(s.mode == c->mode);
    CHECK(s.leg_count == c->leg_count);
    CHECK(s.filled == legs_total);
    CHECK(s.remaining == c->stake - s.filled);
    CHECK(s.prior_filled == 0);
    CHECK(s.complete == (c->status == FILLED));
    CHECK(s.decline == c->decline);
    CHECK(s.has_average_price == (c->leg_count > 0));
    for (size_t i = 0; i < c->leg_count && i < s.leg_count; i++) {
        const ExpectedLeg *want = &c->legs[i];
        WagerkitLeg leg;
        OK(wagerkit_plan_leg(plan, i, &leg));
        CHECK(str_eq(leg.key, want->key));
        CHECK(str_eq(leg.bookmaker, strstr(want->key, "pinnacle") ? "pinnacle" : "sharpbet"));
        CHECK(str_eq(leg.account, want->account));
        CHECK(leg.price == want->price);
        CHECK(leg.stake == want->stake);
        CHECK(str_eq(leg.currency, want->currency));
        CHECK(leg.order_stake == want->order_stake);
        CHECK(str_eq(leg.order_currency, c->currency));
    }
    if (c->decline != 0) {
        const char *name = wagerkit_decline_name(c->decline);
        CHECK(name != NULL && strlen(name) > 0);
    }
    if (c->message != NULL) {
        char message[256];
        size_t len = 0;
        OK(wagerkit_plan_message(plan, message, sizeof message, &len));
        if (!str_eq(message, c->message)) {
            fprintf(stderr, "case %s: message %s\n", c->name, message);
        }
        CHECK(str_eq(message, c->message));
        CHECK(len == strlen(c->message));
    }
    wagerkit_plan_free(plan);
}

/* Book reads, as in test_quickstart_book_reads. */
static void check_book_reads(WagerkitBook *book, const WagerkitFx *fx) {
    double price = 0;
    bool found = false;
    OK(wagerkit_book_best_price(book, true, &price, &found));
    CHECK(found && price == 2.0);
    OK(wagerkit_book_best_price(book, false, &price, &found));
    CHECK(!found);
    int64_t available = 0;
    OK(wagerkit_book_available(book, 2.0, "USD", fx, true, &available));
    CHECK(available == 88613);
    OK(wagerkit_book_available(book, 1.98, "USD", fx, true, &available));
    CHECK(available == 1588613);
    OK(wagerkit_book_available(book, 1.98, "EUR", fx, true, &available));
    CHECK(available == 1346967);
    OK(wagerkit_book_vwap(book, 100000, "USD", fx, true, &price, &found));
    CHECK(found && price == 1.9977226);
    OK(wagerkit_book_vwap(book, 2000000, "USD", fx, true, &price, &found));
    CHECK(!found);

    size_t count = 0;
    CHECK(wagerkit_book_ladder(book, "USD", fx, true, NULL, 0, &count) ==
          WAGERKIT_STATUS_BUFFER_TOO_SMALL);
    CHECK(count == 2);
    WagerkitLevel levels[4];
    OK(wagerkit_book_ladder(book, "USD", fx, true, levels, 4, &count));
    CHECK(count == 2);
    CHECK(levels[0].price == 2.0 && levels[0].available == 88613 && levels[0].quotes == 1);
    CHECK(levels[1].price == 1.98 && levels[1].available == 1500000 && levels[1].quotes == 1);
    CHECK(wagerkit_book_len(book) == 2);

    /* The betslip's limits in each account's currency, as in
     * test_quickstart_betslip_loads_limits_in_account_currency; best first. */
    WagerkitQuote quotes[2];
    OK(wagerkit_book_quotes(book, true, quotes, 2, &count));
    CHECK(count == 2);
    const WagerkitQuote *sharp = &quotes[0], *pin = &quotes[1];
    CHECK(str_eq(sharp->currency, "EUR") && sharp->price == 2.0 && sharp->limit == 75134);
    CHECK(sharp->has_limit_min && sharp->limit_min == 100);
    CHECK(sharp->has_max_stake && sharp->max_stake == 75134 && sharp->min_stake == 100);
    CHECK(str_eq(pin->currency, "USD") && pin->price == 1.98 && pin->limit == 1500000);
    CHECK(pin->has_limit_min && pin->limit_min == 500);
    CHECK(pin->has_max_stake && pin->max_stake == 1500000 && pin->min_stake == 500);
    CHECK(pin->priority == 0 && sharp->priority == 0);
    CHECK(pin->active && sharp->active && pin->back && sharp->back);
    WagerkitQuote again;
    OK(wagerkit_book_get(book, pin->slot, &again));
    CHECK(again.slot == pin->slot && again.limit == 1500000);
    CHECK(wagerkit_book_quotes(book, true, quotes, 1, &count) == WAGERKIT_STATUS_BUFFER_TOO_SMALL);
    CHECK(count == 2);
    OK(wagerkit_book_quotes(book, false, NULL, 0, &count));
    CHECK(count == 0);
}

/* A refusal: the expected status, a message containing `needle`, the blamed argument. */
static void check_refused(WagerkitStatus status, WagerkitStatus want, const char *needle,
                          const char *field) {
    CHECK(status == want);
    const char *message = wagerkit_last_error();
    if (message == NULL || strstr(message, needle) == NULL) {
        fprintf(stderr, "expected a message with %s, got %s\n", needle, message ? message : "NULL");
    }
    CHECK(message != NULL && strstr(message, needle) != NULL);
    if (field != NULL) CHECK(str_eq(wagerkit_last_error_field(), field));
}

static void check_error_paths(WagerkitBook *book, WagerkitFx *fx) {
    WagerkitOrder *order = NULL;
    check_refused(wagerkit_order_new(0, "USD", 1.95, NULL, &order), WAGERKIT_STATUS_INVALID_INPUT,
                  "stake must be > 0", "stake");
    CHECK(order == NULL);
    check_refused(wagerkit_order_new(1000, "usd", 1.95, NULL, &order),
                  WAGERKIT_STATUS_INVALID_INPUT, "usd", "currency");
    check_refused(wagerkit_order_new(1000, NULL, 1.95, NULL, &order),
                  WAGERKIT_STATUS_INVALID_INPUT, "must not be NULL", "currency");
    check_refused(wagerkit_order_new(1000, "USD", 1.0, NULL, &order),
                  WAGERKIT_STATUS_INVALID_INPUT, "price", "price");
    WagerkitOrderOptions empty = wagerkit_order_options_default();
    const char *none[1] = {NULL};
    empty.bookmakers = none;
    empty.bookmaker_count = 0;
    check_refused(wagerkit_order_new(1000, "USD", 1.95, &empty, &order),
                  WAGERKIT_STATUS_INVALID_INPUT, "bookmakers", "bookmakers");
    CHECK(order == NULL);

    /* A success clears the last error. */
    OK(wagerkit_order_new(1000, "USD", 1.95, NULL, &order));
    CHECK(wagerkit_last_error() == NULL);

    WagerkitRoutePlan *plan = NULL;
    check_refused(wagerkit_route(order, NULL, fx, NULL, 0, &plan), WAGERKIT_STATUS_INVALID_INPUT,
                  "book must not be NULL", "book");
    check_refused(wagerkit_route(order, book, fx, NULL, 1, &plan), WAGERKIT_STATUS_INVALID_INPUT,
                  "prior", "prior");
    WagerkitPriorLeg too_much = {5000, 2.0};
    check_refused(wagerkit_route(order, book, fx, &too_much, 1, &plan),
                  WAGERKIT_STATUS_INVALID_INPUT, "prior", NULL);
    CHECK(plan == NULL);

    /* Prior legs: 6 USD of the 10 already filled at 2.0; the plan places the 4 left. */
    WagerkitPriorLeg six = {600, 2.0};
    OK(wagerkit_route(order, book, fx, &six, 1, &plan));
    if (plan != NULL) {
        WagerkitPlanSummary s;
        OK(wagerkit_plan_summary(plan, &s));
        CHECK(s.status == FILLED && s.prior_filled == 600 && s.filled + 600 + s.remaining == 1000);
        WagerkitLeg leg;
        check_refused(wagerkit_plan_leg(plan, s.leg_count, &leg), WAGERKIT_STATUS_INVALID_INPUT,
                      "out of range", "index");
        wagerkit_plan_free(plan);
    }
    wagerkit_order_free(order);

    int64_t available = 0;
    check_refused(wagerkit_book_available(book, 1.98, "JPY", fx, true, &available),
                  WAGERKIT_STATUS_MISSING_RATE, "No exchange rate for JPY", NULL);
    CHECK(wagerkit_last_error_field() == NULL);

    const char *bad_json = "{\"odds\": {\"pinnacle\": 3}";
    WagerkitBook *bad = NULL;
    WagerkitStatus status =
        wagerkit_book_from_betslip((const uint8_t *)bad_json, strlen(bad_json), NULL, &bad);
    CHECK(status == WAGERKIT_STATUS_INVALID_INPUT);
    CHECK(bad == NULL);
    CHECK(wagerkit_last_error() != NULL && strlen(wagerkit_last_error()) > 0);

    uint64_t slot = 0;
    check_refused(wagerkit_book_upsert(book, "f1:pinnacle:103:0", "nobody", 2.0, 100, NULL, true,
                                       true, &slot),
                  WAGERKIT_STATUS_INVALID_INPUT, "nobody", NULL);
    check_refused(wagerkit_book_update(book, 987654321, 2.0, 100, NULL, true),
                  WAGERKIT_STATUS_INVALID_INPUT, "slot", NULL);

    /* Copying the message into a small buffer truncates it, snprintf-style. */
    char small[8];
    size_t full = wagerkit_last_error_copy(small, sizeof small);
    CHECK(full == strlen(wagerkit_last_error()) && strlen(small) == sizeof small - 1);

    int64_t minor = 0;
    check_refused(wagerkit_to_minor("10.50", "USD", 9, &minor), WAGERKIT_STATUS_INVALID_INPUT,
                  "rounding", "rounding");
    check_refused(wagerkit_to_minor("ten", "USD", WAGERKIT_ROUNDING_HALF_EVEN, &minor),
                  WAGERKIT_STATUS_INVALID_INPUT, "ten", "amount");
    char buf[4];
    size_t len = 0;
    check_refused(wagerkit_minor_to_str(75134, "EUR", buf, sizeof buf, &len),
                  WAGERKIT_STATUS_BUFFER_TOO_SMALL, "7", "buf");
    CHECK(len == 6 && buf[0] == '\0');
    double odds = 0;
    check_refused(wagerkit_convert_odds(2.5, WAGERKIT_ODDS_DECIMAL, 42, &odds),
                  WAGERKIT_STATUS_INVALID_INPUT, "to_format", "to_format");
    check_refused(wagerkit_fx_set_rate(fx, "USD", "2", NULL), WAGERKIT_STATUS_INVALID_INPUT, "USD",
                  NULL);
}

static void check_money_fx_odds(const WagerkitFx *fx) {
    int64_t minor = 0;
    OK(wagerkit_to_minor("10.50", "USD", WAGERKIT_ROUNDING_HALF_EVEN, &minor));
    CHECK(minor == 1050);
    OK(wagerkit_to_minor_f64(10.1, "EUR", WAGERKIT_ROUNDING_HALF_EVEN, &minor));
    CHECK(minor == 1010);
    OK(wagerkit_to_minor("10.555", "USD", WAGERKIT_ROUNDING_DOWN, &minor));
    CHECK(minor == 1055);
    OK(wagerkit_to_minor("10.551", "USD", WAGERKIT_ROUNDING_UP, &minor));
    CHECK(minor == 1056);
    OK(wagerkit_to_minor("10.565", "USD", WAGERKIT_ROUNDING_HALF_EVEN, &minor));
    CHECK(minor == 1056);
    uint32_t exponent = 9;
    OK(wagerkit_currency_exponent("JPY", &exponent));
    CHECK(exponent == 0);
    CHECK(wagerkit_is_currency("EUR") && !wagerkit_is_currency("eur") && !wagerkit_is_currency(NULL));
    char text[32];
    size_t len = 0;
    OK(wagerkit_minor_to_str(75134, "EUR", text, sizeof text, &len));
    CHECK(str_eq(text, "751.34") && len == 6);
    double major = 0;
    OK(wagerkit_minor_to_f64(75134, "EUR", &major));
    CHECK(major == 751.34);

    /* The cascade: the account max wins over the odds limit; the odds limitMin is the min. */
    int64_t account_max = 5000, odds_limit = 150000, odds_limit_min = 500;
    int64_t max = 0, min = 0;
    bool has_max = false;
    OK(wagerkit_effective_limits(&account_max, NULL, NULL, NULL, &odds_limit, &odds_limit_min,
                                 &max, &has_max, &min));
    CHECK(has_max && max == 5000 && min == 500);
    OK(wagerkit_effective_limits(NULL, NULL, NULL, NULL, NULL, NULL, &max, &has_max, &min));
    CHECK(!has_max && min == 0);

    /* 10.00 USD in EUR rounded down: 1000 x 0.84788876 = 847.88876 -> 847. */
    int64_t eur = 0;
    OK(wagerkit_fx_convert(fx, 1000, "USD", "EUR", WAGERKIT_ROUNDING_DOWN, &eur));
    CHECK(eur == 847);
    OK(wagerkit_fx_rate_str(fx, "EUR", text, sizeof text, &len));
    CHECK(str_eq(text, "0.84788876"));
    CHECK(wagerkit_fx_contains(fx, "EUR") && !wagerkit_fx_contains(fx, "JPY"));
    WagerkitFx *other = wagerkit_fx_new();
    OK(wagerkit_fx_set_rate_f64(other, "EUR", 0.84788876, NULL));
    OK(wagerkit_fx_rate_str(other, "EUR", text, sizeof text, &len));
    CHECK(str_eq(text, "0.84788876"));
    double rate = 0;
    OK(wagerkit_fx_rate(other, "EUR", &rate));
    CHECK(rate == 0.84788876);
    check_refused(wagerkit_fx_set_rate_f64(other, "GBP", -1.0, NULL), WAGERKIT_STATUS_INVALID_INPUT,
                  "currency_value", "currency_value");
    check_refused(wagerkit_fx_rate(other, "GBP", &rate), WAGERKIT_STATUS_MISSING_RATE, "GBP", NULL);
    wagerkit_fx_free(other);

    double odds = 0;
    OK(wagerkit_convert_odds(2.5, WAGERKIT_ODDS_DECIMAL, WAGERKIT_ODDS_AMERICAN, &odds));
    CHECK(odds == 150.0);
    OK(wagerkit_convert_odds(-200, WAGERKIT_ODDS_AMERICAN, WAGERKIT_ODDS_DECIMAL, &odds));
    CHECK(odds == 1.5);
}

/* A book made by hand: accounts, upsert, update (the feed's hot path), remove. */
static void check_hand_book(const WagerkitFx *fx) {
    WagerkitBook *book = wagerkit_book_new();
    CHECK(book != NULL);
    WagerkitAccountSettings settings = wagerkit_account_settings_default();
    settings.has_max_stake = true;
    settings.max_stake = 5000;
    OK(wagerkit_book_set_account(book, "pin", "pinnacle", "USD", &settings));
    uint64_t slot = 0;
    OK(wagerkit_book_upsert(book, "f1:pinnacle:103:0", "pin", 2.1, 100000, NULL, true, true,
                            &slot));
    int64_t available = 0;
    OK(wagerkit_book_available(book, 2.0, "USD", fx, true, &available));
    CHECK(available == 5000); /* the account max caps the odds limit */
    int64_t limit_min = 200;
    OK(wagerkit_book_update(book, slot, 1.9, 100000, &limit_min, true));
    double best = 0;
    bool found = false;
    OK(wagerkit_book_best_price(book, true, &best, &found));
    CHECK(found && best == 1.9);
    bool removed = false;
    OK(wagerkit_book_remove(book, "f1:pinnacle:103:0", "pin", true, &removed));
    CHECK(removed && wagerkit_book_len(book) == 0);
    OK(wagerkit_book_remove_account(book, "pin", NULL, &removed));
    CHECK(removed);

    /* Cascade step 2: a bookmaker max (in EUR) binds an account that has no max of its own,
     * converted into the account's USD rounded down: 30.00 EUR / 0.84788876 = 35.38 USD. */
    OK(wagerkit_book_set_account(book, "pin2", "pinnacle", "USD", NULL));
    OK(wagerkit_book_upsert(book, "f1:pinnacle:103:0", "pin2", 2.1, 100000, NULL, true, true,
                            &slot));
    int64_t bookmaker_max = 3000;
    OK(wagerkit_book_set_bookmaker_limits(book, "pinnacle", "EUR", &bookmaker_max, NULL));
    OK(wagerkit_book_available(book, 2.0, "USD", fx, true, &available));
    CHECK(available == 3538);
    wagerkit_book_free(book);
}

static void check_dedupe(void) {
    WagerkitDedupeCache *cache = NULL;
    OK(wagerkit_dedupe_new(1800.0, 1000, &cache));
    if (cache == NULL) return;
    const char *id = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";
    bool first = false;
    OK(wagerkit_dedupe_check_and_insert(cache, id, &first));
    CHECK(first);
    OK(wagerkit_dedupe_check_and_insert(cache, id, &first));
    CHECK(!first);
    bool seen = false;
    OK(wagerkit_dedupe_contains(cache, "{1B4E28BA-2FA1-11D2-883F-0016D3CCA427}", &seen));
    CHECK(seen && wagerkit_dedupe_len(cache) == 1);
    check_refused(wagerkit_dedupe_check_and_insert(cache, "not-a-uuid", &first),
                  WAGERKIT_STATUS_INVALID_INPUT, "not a UUID", "request_uuid");
    bool removed = false;
    OK(wagerkit_dedupe_remove(cache, id, &removed));
    CHECK(removed && wagerkit_dedupe_len(cache) == 0);
    wagerkit_dedupe_free(cache);
    WagerkitDedupeCache *bad = NULL;
    check_refused(wagerkit_dedupe_new(0.0, 10, &bad), WAGERKIT_STATUS_INVALID_INPUT, "ttl", "ttl");
    CHECK(bad == NULL);
}

/* One book and one rate table shared by several threads: each routes the same order while a
 * writer moves a quote back and forth; every plan is one of the two the prices allow. */
typedef struct {
    WagerkitBook *book;
    const WagerkitFx *fx;
    int bad;
} Shared;

static void *route_many(void *arg) {
    Shared *shared = arg;
    WagerkitOrder *order = NULL;
    if (wagerkit_order_new(1000, "USD", 1.95, NULL, &order) != WAGERKIT_STATUS_OK) {
        shared->bad++;
        return NULL;
    }
    for (int i = 0; i < 200; i++) {
        WagerkitRoutePlan *plan = NULL;
        WagerkitPlanSummary s;
        WagerkitLeg leg;
        if (wagerkit_route(order, shared->book, shared->fx, NULL, 0, &plan) != WAGERKIT_STATUS_OK ||
            wagerkit_plan_summary(plan, &s) != WAGERKIT_STATUS_OK || s.status != FILLED ||
            s.leg_count != 1 || wagerkit_plan_leg(plan, 0, &leg) != WAGERKIT_STATUS_OK ||
            !(leg.price == 2.1 || leg.price == 2.2) || leg.stake != 1000) {
            shared->bad++;
        }
        wagerkit_plan_free(plan);
    }
    wagerkit_order_free(order);
    return NULL;
}

static void check_threads(const WagerkitFx *fx) {
    WagerkitBook *book = wagerkit_book_new();
    uint64_t slot = 0;
    OK(wagerkit_book_set_account(book, "pin", "pinnacle", "USD", NULL));
    OK(wagerkit_book_upsert(book, "f1:pinnacle:103:0", "pin", 2.1, 100000, NULL, true, true,
                            &slot));
    enum { READERS = 3 };
    Shared shared[READERS];
    pthread_t threads[READERS];
    for (int t = 0; t < READERS; t++) {
        shared[t] = (Shared){book, fx, 0};
        CHECK(pthread_create(&threads[t], NULL, route_many, &shared[t]) == 0);
    }
    for (int i = 0; i < 200; i++) {
        OK(wagerkit_book_update(book, slot, i % 2 ? 2.1 : 2.2, 100000, NULL, true));
    }
    for (int t = 0; t < READERS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
        CHECK(shared[t].bad == 0);
    }
    wagerkit_book_free(book);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s quickstart_betslip.json\n", argv[0]);
        return 2;
    }
    size_t len = 0;
    char *json = read_file(argv[1], &len);
    if (json == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    WagerkitFx *fx = wagerkit_fx_new();
    WagerkitBook *book = NULL;
    OK(wagerkit_book_from_betslip((const uint8_t *)json, len, fx, &book));
    free(json);
    if (book == NULL) return 1;

    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) check_case(&CASES[i], book, fx);
    check_book_reads(book, fx);
    check_money_fx_odds(fx);
    check_hand_book(fx);
    check_dedupe();
    check_threads(fx);
    check_error_paths(book, fx);
    CHECK(wagerkit_version() != NULL && strlen(wagerkit_version()) > 0);

    wagerkit_book_free(book);
    wagerkit_fx_free(fx);
    printf("capi: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
