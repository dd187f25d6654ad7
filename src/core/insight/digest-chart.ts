import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type ChartItem } from 'chart.js';
import type { DigestDay } from '../ports.ts';

// The digest's chart, drawn headless: Chart.js (no DOM: its BasicPlatform) on a @napi-rs/canvas
// canvas (Skia, prebuilt per platform as an optional npm dependency: no install script, no
// download at run time). Stacked bars per day: answered by the bot alone, escalated to the
// founder, and the rest (open, suggested, waiting); a line of the day's mean CSAT on a 1–5 axis.

Chart.register(...registerables);

export const CHART_SIZE = { width: 900, height: 450 } as const;

export async function renderDigestChart(days: DigestDay[]): Promise<Buffer> {
  const canvas = createCanvas(CHART_SIZE.width, CHART_SIZE.height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, CHART_SIZE.width, CHART_SIZE.height);
  const config: ChartConfiguration<'bar' | 'line', Array<number | null>, string> = {
    type: 'bar',
    data: {
      labels: days.map((d) => d.date.slice(5)),
      datasets: [
        { type: 'bar', label: 'Answered by the bot', data: days.map((d) => d.answeredByBot), backgroundColor: '#2eb67d', stack: 'c', yAxisID: 'y' },
        { type: 'bar', label: 'Escalated', data: days.map((d) => d.escalated), backgroundColor: '#e8912d', stack: 'c', yAxisID: 'y' },
        { type: 'bar', label: 'Other', data: days.map((d) => Math.max(0, d.conversations - d.answeredByBot - d.escalated)), backgroundColor: '#c0c4cc', stack: 'c', yAxisID: 'y' },
        { type: 'line', label: 'Satisfaction (1–5)', data: days.map((d) => d.satisfaction), borderColor: '#4a154b', backgroundColor: '#4a154b', spanGaps: true, yAxisID: 'csat' },
      ],
    },
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: 1,
      plugins: { title: { display: true, text: 'Conversations per day' }, legend: { position: 'bottom' } },
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'conversations' } },
        csat: { position: 'right', min: 1, max: 5, grid: { drawOnChartArea: false }, title: { display: true, text: 'satisfaction' } },
      },
    },
  };
  // Chart.js types want a DOM canvas context; Skia's has the same drawing API.
  const chart = new Chart(context as unknown as ChartItem, config);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
