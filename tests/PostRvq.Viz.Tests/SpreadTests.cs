namespace PostRvq.Viz.Tests;

public class SpreadTests
{
    [Fact]
    public void Uses_the_sample_standard_deviation_and_its_standard_error()
    {
        var spread = Spread.Of([1.0, 2.0, 3.0, 4.0]);
        Assert.Equal(2.5, spread.Mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3.0), spread.StandardDeviation, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3.0) / 2.0, spread.StandardError, 12);
        Assert.Equal(4, spread.Count);
        Assert.Equal(spread.StandardError, spread.HalfWidth(ErrorBar.StandardError));
        Assert.Equal(spread.StandardDeviation, spread.HalfWidth(ErrorBar.StandardDeviation));
        Assert.Equal(0.0, spread.HalfWidth(ErrorBar.None));
    }

    [Fact]
    public void One_value_has_no_spread_and_none_is_an_error()
    {
        Assert.Equal(0.0, Spread.Of([7.0]).StandardError);
        Assert.Throws<ArgumentException>(() => Spread.Of([]));
    }
}
