using Deedle;

namespace PostRvq.Viz.Tests;

public class TableTests
{
    [Fact]
    public void Pivot_is_methods_by_ascending_bitrates_with_missing_cells()
    {
        var frame = ComparisonTables.Pivot(TestData.Grid(), AudioMetric.Mel);
        Assert.Equal(["rvq", "pq"], frame.RowKeys);
        Assert.Equal([3.0, 6.0, 24.0], frame.ColumnKeys);
        Assert.Equal(3.0, frame.GetColumn<double>(6.0).Get("rvq"), 12);
        Assert.False(frame.GetColumn<double>(24.0).TryGet("pq").HasValue);
    }

    [Fact]
    public void Pivot_averages_rows_that_share_method_and_bitrate()
    {
        var rows = new[] { TestData.Row("rvq", 6, [2.0], "valid"), TestData.Row("rvq", 6, [4.0], "test") };
        var frame = ComparisonTables.Pivot(rows, AudioMetric.Mel);
        Assert.Equal(1, frame.RowCount);
        Assert.Equal(1, frame.ColumnCount);
        Assert.Equal(3.0, frame.GetColumn<double>(6.0).Get("rvq"), 12);
    }

    [Fact]
    public void Pivot_leaves_out_rows_without_a_bitrate()
    {
        var continuous = TestData.Row("continuous", double.NaN, [1.0]);
        var frame = ComparisonTables.Pivot([continuous, .. TestData.Grid()], AudioMetric.Mel);
        Assert.Equal(["rvq", "pq"], frame.RowKeys);
        Assert.Equal([3.0, 6.0, 24.0], frame.ColumnKeys);
    }

    [Fact]
    public void The_flat_frame_has_one_row_per_comparison_row_and_counts_clips()
    {
        var frame = ComparisonTables.ToFrame(TestData.Grid());
        Assert.Equal(5, frame.RowCount);
        Assert.Contains("Mel", frame.ColumnKeys);
        Assert.Equal("pq", frame.GetColumn<string>("Method").Get(3));
        Assert.Equal(2, frame.GetColumn<int>("Clips").Get(3));
    }

    [Fact]
    public void Markdown_table_golden()
    {
        var markdown = TableExport.ToMarkdown(ComparisonTables.Pivot(TestData.Grid(), AudioMetric.Mel), decimals: 2, rowHeader: "Method");
        Assert.Equal(
            "| Method | 3 | 6 | 24 |\n" +
            "| --- | ---: | ---: | ---: |\n" +
            "| rvq | 5.00 | 3.00 | 1.00 |\n" +
            "| pq | 5.50 | 3.50 | – |\n",
            markdown);
    }

    [Fact]
    public void Latex_table_golden_escapes_special_characters()
    {
        var rows = TestData.Grid().Select(r => r with { Method = r.Method == "pq" ? "pq_8 & co" : r.Method });
        var latex = TableExport.ToLatex(ComparisonTables.Pivot(rows, AudioMetric.SiSdr), decimals: 1, rowHeader: "Method");
        Assert.Equal(
            "\\begin{tabular}{lrrr}\n" +
            "\\toprule\n" +
            "Method & 3 & 6 & 24 \\\\\n" +
            "\\midrule\n" +
            "rvq & 5.0 & 7.0 & 9.0 \\\\\n" +
            "pq\\_8 \\& co & 4.5 & 6.5 & -- \\\\\n" +
            "\\bottomrule\n" +
            "\\end{tabular}\n",
            latex);
    }

    [Fact]
    public void Html_table_encodes_text_and_marks_missing_cells()
    {
        var frame = ComparisonTables.Pivot(TestData.Grid().Select(r => r with { Method = r.Method + "<b>" }), AudioMetric.Mel);
        var html = TableExport.ToHtml(frame, decimals: 1);
        Assert.Contains("<th>rvq&lt;b&gt;</th>", html);
        Assert.Contains("<td style=\"text-align:right\">–</td>", html);
        var body = html[html.IndexOf("<tbody>", StringComparison.Ordinal)..];
        Assert.Equal(2, body.Split("<tr>").Length - 1);
    }
}
