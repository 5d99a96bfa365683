using Renkei.Core.Cards;

namespace Renkei.Core.Tests.Cards;

public class CardValidityTests
{
    private static DateOnly D(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Seed_example_born_in_January_issued_May_2016()
    {
        var validity = CardValidity.Compute(D("1980-01-15"), D("2016-05-10"));

        Assert.Equal(D("2026-01-15"), validity.CardExpires);
        Assert.Equal(D("2021-01-15"), validity.UserCertificateExpires);
        Assert.Equal(D("2021-01-15"), validity.SigningCertificateExpires);
        Assert.Equal(D("2025-10-15"), validity.RenewalFrom);
        Assert.Equal(D("2020-10-15"), validity.CertificateRenewalFrom);
    }

    [Theory]
    // 18 on the day: a minor (under 20) before 2022-04-01, an adult from that day.
    [InlineData("2003-06-01", "2022-03-31", "2026-06-01")]
    [InlineData("2003-06-01", "2022-04-01", "2031-06-01")]
    // 19 on the day: the same.
    [InlineData("2002-06-01", "2022-03-31", "2026-06-01")]
    [InlineData("2002-06-01", "2022-04-01", "2031-06-01")]
    // 17 after the change: still a minor.
    [InlineData("2004-06-01", "2022-04-01", "2026-06-01")]
    // 20 before the change: an adult.
    [InlineData("2001-06-01", "2022-03-31", "2031-06-01")]
    public void Age_of_majority_threshold_changes_on_2022_04_01(string birth, string issued, string cardExpires)
    {
        var validity = CardValidity.Compute(D(birth), D(issued));

        Assert.Equal(D(cardExpires), validity.CardExpires);
        Assert.Equal(D("2026-06-01"), validity.UserCertificateExpires); // the 5th birthday after issuance in every case
    }

    [Fact]
    public void Minor_card_and_certificate_end_on_the_fifth_birthday()
    {
        var validity = CardValidity.Compute(D("2012-09-30"), D("2024-07-01"));

        Assert.Equal(D("2028-09-30"), validity.CardExpires);
        Assert.Equal(D("2028-09-30"), validity.UserCertificateExpires);
        Assert.Null(validity.SigningCertificateExpires); // 11 years old
    }

    [Theory]
    [InlineData("2009-05-01", "2024-05-01", true)]  // 15th birthday on the day of issuance: 15
    [InlineData("2009-05-02", "2024-05-01", false)] // the day before the 15th birthday: 14
    [InlineData("2010-01-01", "2024-12-31", false)]
    [InlineData("1950-01-01", "2024-12-31", true)]
    public void Signing_certificate_only_from_15_on_the_day_of_issuance(string birth, string issued, bool hasSigning)
    {
        var validity = CardValidity.Compute(D(birth), D(issued));

        Assert.Equal(hasSigning, validity.SigningCertificateExpires is not null);
        if (hasSigning) Assert.Equal(validity.UserCertificateExpires, validity.SigningCertificateExpires);
    }

    [Fact]
    public void A_birthday_on_the_day_of_issuance_does_not_count()
    {
        var validity = CardValidity.Compute(D("1980-05-10"), D("2016-05-10"));

        Assert.Equal(D("2026-05-10"), validity.CardExpires);
        Assert.Equal(D("2021-05-10"), validity.UserCertificateExpires);
    }

    [Theory]
    // Adults born on 29 February: 28 February in common years, 29 February in leap years.
    [InlineData("1984-02-29", "2016-05-10", "2026-02-28", "2021-02-28", "2025-11-28")]
    [InlineData("1984-02-29", "2018-03-01", "2028-02-29", "2023-02-28", "2027-11-29")]
    // Issued on 28 February of a common year: that day is the birthday, so it does not count.
    [InlineData("1984-02-29", "2017-02-28", "2027-02-28", "2022-02-28", "2026-11-28")]
    public void Leap_day_births_expire_on_28_February_in_common_years(string birth, string issued, string card, string user, string renewal)
    {
        var validity = CardValidity.Compute(D(birth), D(issued));

        Assert.Equal(D(card), validity.CardExpires);
        Assert.Equal(D(user), validity.UserCertificateExpires);
        Assert.Equal(D(renewal), validity.RenewalFrom);
    }

    [Fact]
    public void Leap_day_births_come_of_age_on_1_March_in_common_years()
    {
        // 17 on 28 February 2026 (a minor: 5 years), 18 on 1 March 2026 (an adult: 10 years).
        Assert.Equal(17, CardValidity.AgeOn(D("2008-02-29"), D("2026-02-28")));
        Assert.Equal(18, CardValidity.AgeOn(D("2008-02-29"), D("2026-03-01")));
        Assert.Equal(D("2031-02-28"), CardValidity.Compute(D("2008-02-29"), D("2026-02-28")).CardExpires);
        Assert.Equal(D("2036-02-29"), CardValidity.Compute(D("2008-02-29"), D("2026-03-01")).CardExpires);

        // Fifteen: no signing certificate on 28 February 2027, one on 1 March 2027; in a leap year on 29 February.
        Assert.Null(CardValidity.Compute(D("2012-02-29"), D("2027-02-28")).SigningCertificateExpires);
        Assert.NotNull(CardValidity.Compute(D("2012-02-29"), D("2027-03-01")).SigningCertificateExpires);
        Assert.Equal(16, CardValidity.AgeOn(D("2012-02-29"), D("2028-02-29")));
        Assert.Equal(15, CardValidity.AgeOn(D("2012-02-29"), D("2028-02-28")));
    }

    [Fact]
    public void Renewal_window_is_three_months_and_month_ends_clamp()
    {
        Assert.Equal(D("2026-02-28"), CardValidity.RenewalStart(D("2026-05-31")));
        var validity = CardValidity.Compute(D("1980-01-15"), D("2016-05-10"));
        Assert.False(validity.CardRenewableOn(D("2025-10-14")));
        Assert.True(validity.CardRenewableOn(D("2025-10-15")));
        Assert.True(validity.CardRenewableOn(D("2026-01-15")));
        Assert.False(validity.CardRenewableOn(D("2026-01-16")));
        Assert.True(validity.CertificatesRenewableOn(D("2020-10-15")));
        Assert.False(validity.CertificatesRenewableOn(D("2020-10-14")));
    }

    [Fact]
    public void Renewing_inside_the_window_counts_from_the_old_expiry()
    {
        var inside = CardValidity.ForRenewal(D("1980-01-15"), D("2025-11-01"), D("2026-01-15"));
        Assert.Equal(D("2036-01-15"), inside.CardExpires);
        Assert.Equal(D("2031-01-15"), inside.UserCertificateExpires);

        var early = CardValidity.ForRenewal(D("1980-01-15"), D("2025-09-01"), D("2026-01-15"));
        Assert.Equal(D("2035-01-15"), early.CardExpires);
        Assert.Equal(D("2030-01-15"), early.UserCertificateExpires);
    }

    [Fact]
    public void New_certificates_on_an_existing_card_never_outlive_it()
    {
        var (user, signing) = CardValidity.Certificates(D("1980-01-15"), D("2024-01-01"), D("2026-01-15"));
        Assert.Equal(D("2026-01-15"), user);
        Assert.Equal(user, signing);

        // Renewed inside the certificate's own window: from the old certificate's expiry.
        var renewed = CardValidity.Certificates(D("1980-01-15"), D("2020-11-01"), D("2026-01-15"), D("2021-01-15"));
        Assert.Equal(D("2026-01-15"), renewed.UserCertificateExpires);

        var child = CardValidity.Certificates(D("2015-03-03"), D("2024-01-01"), D("2028-03-03"));
        Assert.Null(child.SigningCertificateExpires);
    }

    [Theory]
    [InlineData("2000-01-01", "1999-12-31", "issued-before-birth")]
    [InlineData("1980-01-01", "2015-12-31", "issued-before-cards-existed")]
    public void Impossible_dates_are_refused_with_a_reason(string birth, string issued, string code)
    {
        var refusal = Assert.Throws<CardRuleException>(() => CardValidity.Compute(D(birth), D(issued)));
        Assert.Equal(code, refusal.Code);
    }
}
