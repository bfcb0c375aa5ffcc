// Shared, cached reads: projects (with their parcels) and the year's plan (accounts with
// balances). Panels call refresh() after a change so that every screen shows the same figures.
import { getJSON } from './api.js';

export function createData() {
  let projectsPromise = null;
  let projectByParcel = new Map();
  const plans = new Map(); // year → promise
  const listeners = new Set();

  function projects() {
    if (!projectsPromise) {
      projectsPromise = getJSON('/api/projects').then((body) => {
        const list = body.projects || [];
        projectByParcel = new Map();
        for (const p of list) for (const id of p.parcel_ids || []) projectByParcel.set(Number(id), p);
        return list;
      });
      projectsPromise.catch(() => {
        projectsPromise = null; // retry next time
      });
    }
    return projectsPromise;
  }

  function plan(year) {
    let p = plans.get(year);
    if (!p) {
      p = getJSON(`/api/plans/${year}`);
      plans.set(year, p);
      p.catch(() => plans.delete(year));
    }
    return p;
  }

  return {
    projects,
    /** The project holding a parcel (after projects() resolved), or undefined. */
    async projectOfParcel(id) {
      await projects();
      return projectByParcel.get(Number(id));
    },
    plan,
    /** The account of a project in a plan, or undefined. */
    async projectAccount(year, projectId) {
      const { accounts } = await plan(year);
      return (accounts || []).find((a) => a.kind === 'project' && Number(a.project_id) === Number(projectId));
    },
    /** Drop cached answers after a change; listeners re-read what they show. */
    refresh(what = ['projects', 'plans']) {
      if (what.includes('projects')) projectsPromise = null;
      if (what.includes('plans')) plans.clear();
      for (const fn of listeners) fn(what);
    },
    onRefresh(fn) {
      listeners.add(fn);
    },
  };
}
